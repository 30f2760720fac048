import { request as httpRequest } from 'node:http';

/**
 * POSTs a chunked body of `total` bytes to `url`, 64 KiB at a time, stopping as soon as the server
 * answers; resolves with the status and how many bytes had been written by then.
 */
export function streamBody(url: string, total: number, headers: Record<string, string> = {}): Promise<{ status: number; written: number }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    let written = 0;
    let answered = false;
    const req = httpRequest(
      { hostname: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'transfer-encoding': 'chunked', ...headers } },
      (res) => {
        answered = true;
        res.resume();
        resolve({ status: res.statusCode ?? 0, written });
      },
    );
    req.on('error', (err) => (answered ? undefined : reject(err)));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const pump = (): void => {
      while (!answered && written < total) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}
