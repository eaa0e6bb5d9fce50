/**
 * How Kinesis and Firehose refuse a request that is not signed, not signed right, or not allowed:
 * JSON 1.1 errors with HTTP 400, under the exception names and wording AWS answers with (SDKs
 * branch on the names; the SDK also corrects its clock on InvalidSignatureException "Signature
 * expired", using the response's Date header).
 */

import { ApiError } from '../../ingest/api/errors.js';
import { formatAmzDate } from './sigv4.js';

export const authErrors = {
  missing: () => new ApiError('MissingAuthenticationTokenException', 'Missing Authentication Token'),
  incomplete: (message: string) => new ApiError('IncompleteSignatureException', message),
  unrecognizedKey: () => new ApiError('UnrecognizedClientException', 'The security token included in the request is invalid.'),
  invalid: (message: string) => new ApiError('InvalidSignatureException', message),
  /** AWS's own wording for a request older than the skew allowed. */
  expired: (signedAt: number, now: number, skewMs: number) =>
    new ApiError(
      'InvalidSignatureException',
      `Signature expired: ${formatAmzDate(signedAt)} is now earlier than ${formatAmzDate(now - skewMs)} (${formatAmzDate(now)} - ${skewMs / 60_000} min.)`,
    ),
  notYetCurrent: (signedAt: number, now: number, skewMs: number) =>
    new ApiError(
      'InvalidSignatureException',
      `Signature not yet current: ${formatAmzDate(signedAt)} is still later than ${formatAmzDate(now + skewMs)} (${formatAmzDate(now)} + ${skewMs / 60_000} min.)`,
    ),
  mismatch: (canonical: string, toSign: string) =>
    new ApiError(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. ' +
        `Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'${canonical}'\n\n` +
        `The String-to-Sign should have been\n'${toSign}'\n`,
    ),
  /** IAM's message form; account-level actions (resource `*`) name no resource. */
  accessDenied: (userArn: string, action: string, resource: string | undefined, explicit: boolean) =>
    new ApiError(
      'AccessDeniedException',
      `User: ${userArn} is not authorized to perform: ${action}${resource === undefined ? '' : ` on resource: ${resource}`} ` +
        (explicit ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${action} action`),
    ),
} as const;
