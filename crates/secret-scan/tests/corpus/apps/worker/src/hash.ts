// Checksums and ids: none of these are secrets.
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
export const BUILD_COMMIT = "{hex:40}";
export const tenantId = "{uuid}";
export const requestId = "{uuid}";
export const ETAG = "W/\"{hex:32}\"";
export const checksumSha1 = "{hex:40}";
export const publicKey = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE{b64:64}\n-----END PUBLIC KEY-----";
