export { SluiceServer, type SluiceServerOptions, type UpgradeHandler } from './sluice-server.js';
export { sendBody, type HttpRequest, type HttpResponse, type RouteHandler } from './http-types.js';
export { readBody, BodyTooLargeError, BodyTimeoutError, BodyBudgetError } from './body-reader.js';
export { BODY_LIMITS, DEFAULT_BODY_LIMIT, bodyLimitFor } from './body-limits.js';
export { jsonTargetRoute, AMZ_JSON } from './kinesis-route.js';
export { startServer, type RunningServer, type StartServerOptions } from './start-server.js';
export { sniffProtocol, HTTP2_PREFACE, type Protocol } from './protocol-sniffer.js';
