// intuit-oauth (Intuit's own OAuth client) ships no types: the part Settle uses.
declare module 'intuit-oauth' {
  interface AuthResponse {
    getJson(): Record<string, unknown>;
  }
  class OAuthClient {
    constructor(config: { clientId: string; clientSecret: string; environment: 'sandbox' | 'production'; redirectUri: string; logging?: boolean;
      includeRefreshTokenHardExpiresIn?: boolean });
    setAuthorizeURLs(urls: { authorizeEndpoint: string; tokenEndpoint: string; revokeEndpoint: string; userInfoEndpoint: string }): this;
    createToken(callbackUrl: string): Promise<AuthResponse>;
  }
  export = OAuthClient;
}
