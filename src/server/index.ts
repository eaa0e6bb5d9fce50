export { SluiceServer, type SluiceServerOptions, type UpgradeHandler } from './sluice-server.js';
export { readBody, sendBody, BodyTooLargeError, type HttpRequest, type HttpResponse, type RouteHandler } from './http-types.js';
export { jsonTargetRoute, AMZ_JSON, MAX_BODY_BYTES } from './kinesis-route.js';
export { startServer, type RunningServer, type StartServerOptions } from './start-server.js';
export { sniffProtocol, HTTP2_PREFACE, type Protocol } from './protocol-sniffer.js';
