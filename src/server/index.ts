export { SluiceServer, type SluiceServerOptions, type UpgradeHandler, type RequestGuard, type Refusal } from './sluice-server.js';
export { sendBody, type HttpRequest, type HttpResponse, type RouteHandler } from './http-types.js';
export { readBody, BodyTooLargeError, BodyTimeoutError, BodyBudgetError } from './body-reader.js';
export { BODY_LIMITS, DEFAULT_BODY_LIMIT, bodyLimitFor } from './body-limits.js';
export { jsonTargetRoute, AMZ_JSON } from './kinesis-route.js';
export { startServer, type RunningServer, type StartServerOptions } from './start-server.js';
export { sniffProtocol, HTTP2_PREFACE, type Protocol } from './protocol-sniffer.js';
export { Authenticator, type AuthenticatorOptions } from './auth/authenticator.js';
export { loadAuthConfig, parseAuthConfig, AuthConfigError, type AuthConfig, type AuthUser } from './auth/auth-config.js';
