/**
 * InterServer's fields of the workflow's `$.quote` and of the `POST /quotes` answer, declared by
 * module augmentation of the empty interfaces procure's core leaves for them (core/workflow.ts
 * VendorQuoteFields, core/vendor-quoter.ts VendorQuoteAnswer). Set by ./quoter.ts; read by
 * ./buy.ts and ./licenses.ts. Types only: nothing here reaches a bundle.
 */
declare module '../../../core/workflow' {
  interface VendorQuoteFields {
    /** The catalog type the license was priced (and is bought) by: `api_buy_license`'s `type`. */
    interserverTypeId?: number;
    /** Its catalog name ("Softaculous"), shown in the license view. */
    interserverTypeName?: string;
  }
}

declare module '../../../core/vendor-quoter' {
  interface VendorQuoteAnswer {
    /** The catalog type `POST /quotes` priced, by id and name. */
    interserverType?: { id: number; name: string };
  }
}

export {};
