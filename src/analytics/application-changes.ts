/**
 * The operations that change an application's configuration (the Add* and Delete* operations
 * and UpdateApplication), each as the next version of its record. Every one of them makes a new
 * version; the caller has checked CurrentApplicationVersionId and the status.
 */

import { apiErrors } from '../ingest/api/index.js';
import type { Input } from '../ingest/api/validation.js';
import { nextId, type ApplicationRecord } from './application.js';
import { checkNames, inputFrom, invalid, loggingFrom, NO_LAMBDA, outputFrom, referenceFrom, type ConfigContext } from './application-config.js';
import { applyUpdate } from './application-update.js';
import { LIMITS } from './analytics-specs.js';

export const CHANGE_OPERATIONS = new Set([
  'UpdateApplication',
  'AddApplicationInput',
  'AddApplicationOutput',
  'DeleteApplicationOutput',
  'AddApplicationReferenceDataSource',
  'DeleteApplicationReferenceDataSource',
  'AddApplicationCloudWatchLoggingOption',
  'DeleteApplicationCloudWatchLoggingOption',
  'AddApplicationInputProcessingConfiguration',
  'DeleteApplicationInputProcessingConfiguration',
]);

/** The application's next version after `operation`. */
export async function changedRecord(operation: string, app: ApplicationRecord, input: Input, ctx: ConfigContext): Promise<ApplicationRecord> {
  const next = { ...(await change(operation, app, input, ctx)), versionId: app.versionId + 1, updatedAt: Date.now() };
  checkNames(next.inputs, next.references);
  return next;
}

async function change(operation: string, app: ApplicationRecord, input: Input, ctx: ConfigContext): Promise<ApplicationRecord> {
  const { id, lastId } = nextId(app);
  switch (operation) {
    case 'UpdateApplication':
      return { ...app, ...(await applyUpdate(app, input['ApplicationUpdate'] as Input, ctx)) };
    case 'AddApplicationInput':
      if (app.inputs.length >= LIMITS.inputs) throw invalid(`Application ${app.name} already has an input; a KDA application reads one streaming source.`);
      return { ...app, lastId, inputs: [...app.inputs, inputFrom(input['Input'] as Input, id, ctx)] };
    case 'AddApplicationOutput':
      if (app.outputs.length >= LIMITS.outputs) throw invalid(`Application ${app.name} already has ${app.outputs.length} outputs; a KDA application has at most ${LIMITS.outputs} destinations.`);
      return { ...app, lastId, outputs: [...app.outputs, await outputFrom(input['Output'] as Input, id, ctx)] };
    case 'DeleteApplicationOutput':
      return { ...app, outputs: without(app.outputs, input['OutputId'] as string, 'Output', app.name) };
    case 'AddApplicationReferenceDataSource':
      if (app.references.length >= LIMITS.referenceDataSources) throw invalid(`Application ${app.name} already has a reference data source; a KDA application has at most ${LIMITS.referenceDataSources}.`);
      return { ...app, lastId, references: [...app.references, referenceFrom(input['ReferenceDataSource'] as Input, id)] };
    case 'DeleteApplicationReferenceDataSource':
      return { ...app, references: without(app.references, input['ReferenceId'] as string, 'Reference data source', app.name) };
    case 'AddApplicationCloudWatchLoggingOption':
      return { ...app, lastId, logging: [...app.logging, loggingFrom(input['CloudWatchLoggingOption'] as Input, id)] };
    case 'DeleteApplicationCloudWatchLoggingOption':
      return { ...app, logging: without(app.logging, input['CloudWatchLoggingOptionId'] as string, 'CloudWatch logging option', app.name) };
    case 'AddApplicationInputProcessingConfiguration':
      without(app.inputs, input['InputId'] as string, 'Input', app.name);
      throw invalid(NO_LAMBDA);
    case 'DeleteApplicationInputProcessingConfiguration': {
      const inputId = input['InputId'] as string;
      without(app.inputs, inputId, 'Input', app.name);
      throw apiErrors.notFound(`Input ${inputId} of application ${app.name} has no InputProcessingConfiguration (Sluice runs no Lambda preprocessors).`);
    }
    default:
      throw new Error(`not a configuration change: ${operation}`);
  }
}

/** The list without the item of this id; ResourceNotFoundException when there is none. */
function without<T extends { readonly id: string }>(list: readonly T[], id: string, what: string, app: string): T[] {
  if (!list.some((x) => x.id === id)) throw apiErrors.notFound(`${what} ${id} of application ${app} not found.`);
  return list.filter((x) => x.id !== id);
}

/** Whether the change touches what the code binds against (so the code is checked again). */
export function bindingChanged(before: ApplicationRecord, after: ApplicationRecord): boolean {
  return before.code !== after.code || JSON.stringify(before.inputs) !== JSON.stringify(after.inputs) || JSON.stringify(before.references) !== JSON.stringify(after.references);
}
