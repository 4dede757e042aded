/** The version of mlpkit, written into every model file (a test checks it against package.json). */
export const VERSION = '0.2.0';
