export interface ClientOptions {
  /**
   * Your API key, for example `apiKey: "my_api_key_1234567890abcdef"`.
   * @example { token: "my_secret_token_abcdef123456" }
   */
  apiKey?: string;
  /** The webhook secret, e.g. `secret: "whsec_my_signing_secret_value"`. */
  secret?: string;
  token: CancellationToken;
  password?: string | undefined;
}
export declare const defaultToken: "<token>";
