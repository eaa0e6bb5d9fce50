/**
 * `application/vnd.amazon.eventstream` responses (SubscribeToShard): binary frames with typed
 * headers and a JSON payload, framed by @smithy/eventstream-codec so the SDK's decoder reads them
 * exactly as it reads AWS's. The first event is `initial-response`; errors after the 200 travel
 * as `exception` messages.
 */

import { EventStreamCodec } from '@smithy/eventstream-codec';

export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

const codec = new EventStreamCodec(
  (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
  (text: string) => Buffer.from(text, 'utf8'),
);

/** Where an event stream writes: the HTTP layer adapts its response to this. */
export interface EventSink {
  /** false when the client is not keeping up; wait for onDrain before writing more. */
  write(frame: Uint8Array): boolean;
  end(): void;
  onDrain(listener: () => void): void;
  /** The client went away (or the response ended). */
  onClose(listener: () => void): void;
}

/** An operation result that streams events instead of returning one JSON body. */
export class EventStreamResult {
  constructor(readonly start: (sink: EventSink) => void) {}
}

export function encodeEvent(eventType: string, payload: object): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'event' },
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: Buffer.from(JSON.stringify(payload), 'utf8'),
  });
}

export function encodeException(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'exception' },
      ':exception-type': { type: 'string', value: exceptionType },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: Buffer.from(JSON.stringify({ message }), 'utf8'),
  });
}

/** Decodes frames (tests, and anyone reading a stream without the SDK). */
export function decodeEvents(bytes: Uint8Array): { headers: Record<string, unknown>; body: unknown }[] {
  const reader = new EventStreamCodec(
    (b: Uint8Array) => Buffer.from(b).toString('utf8'),
    (t: string) => Buffer.from(t, 'utf8'),
  );
  reader.feed(bytes);
  reader.endOfStream();
  const out: { headers: Record<string, unknown>; body: unknown }[] = [];
  for (const message of reader.getAvailableMessages().getMessages()) {
    const headers = Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, v.value]));
    const text = Buffer.from(message.body).toString('utf8');
    out.push({ headers, body: text ? JSON.parse(text) : {} });
  }
  return out;
}
