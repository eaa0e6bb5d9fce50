import type { Scan } from './scan.js';
import type { Filter } from './filter.js';
import type { WindowAssign } from './window-assign.js';
import type { Aggregate } from './aggregate.js';
import type { Project } from './project.js';
import type { Sink } from './sink.js';

export type LogicalPlan = Scan | Filter | WindowAssign | Aggregate | Project | Sink;

export type { Scan, Filter, WindowAssign, Aggregate, Project, Sink };
export { scan } from './scan.js';
export { filter } from './filter.js';
export { windowAssign, describeWindow, GLOBAL_START, GLOBAL_END, type WindowSpec, type WindowType } from './window-assign.js';
export { aggregate, type AggCall, type AggFunction } from './aggregate.js';
export { project, type OrderKey } from './project.js';
export { sink } from './sink.js';
