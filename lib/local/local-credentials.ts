/** The dummy credentials every loopback service of the local runtime accepts (no dependencies: the CLI imports it). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'LOCALACCESSKEY', secretAccessKey: 'local-secret-key' } as const;
