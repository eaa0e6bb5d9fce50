/** The Kinesis Analytics API (KinesisAnalytics_20150814): SQL applications deployed as on KDA, run by Sluice's engine. */

export { AnalyticsApi, ANALYTICS_TARGET_PREFIX, type AnalyticsApiOptions } from './analytics-api.js';
export type { ApplicationRecord, ApplicationStatus } from './application.js';
export type { Deployment } from './deployment.js';
export { recordMapper, type SourceSchema } from './record-mapper.js';
export { discoverSchema } from './schema-discovery.js';
