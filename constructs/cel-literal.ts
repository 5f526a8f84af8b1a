/** A CEL string literal (single-quoted, backslashes and quotes escaped), for the CEL the constructs write. */
export const celString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
