// Fault bodies as QuickBooks Online sends them, so the adapter's error mapping is tested against the real shapes:
// JSON `Fault` with `Error[]` and a `type`; authentication faults in the lower-case form QBO uses for 401s; and
// throttling either as the documented JSON 429 or as the XML 403 QBO also answers with under load.
import type { EmulatorResponse } from '../support/server';
import type { Clock } from '../support/limits';

export interface FaultError {
  Message: string;
  Detail: string;
  code: string;
  element?: string;
}

export type FaultType = 'ValidationFault' | 'SystemFault' | 'AuthenticationFault' | 'SERVICE';

/** How the emulator answers throttled requests: QBO documents 429, but also answers 403 with an XML body. */
export type ThrottleStyle = 'json429' | 'xml403';

export class Wire {
  constructor(private readonly clock: Clock) {}

  time(): string {
    return new Date(this.clock()).toISOString();
  }

  ok(body: Record<string, unknown>, status = 200): EmulatorResponse {
    return { status, body: { ...body, time: this.time() } };
  }

  fault(status: number, type: FaultType, errors: FaultError[]): EmulatorResponse {
    const Error = errors.map((e) => ({ element: '', ...e }));
    return { status, body: { Fault: { Error, type }, time: this.time() } };
  }

  /** A business rule refused the request (QBO's 6000 family, 2xxx for malformed input). */
  validation(code: string, detail: string, message = 'A business validation error has occurred while processing your request', element = ''): EmulatorResponse {
    return this.fault(400, 'ValidationFault', [{ Message: message, Detail: `Business Validation Error: ${detail}`, code, element }]);
  }

  invalidReference(element: string, id: string): EmulatorResponse {
    return this.fault(400, 'ValidationFault', [
      { Message: 'Invalid Reference Id', Detail: `Invalid Reference Id : ${element} assigned is not valid (Id ${id})`, code: '2500', element },
    ]);
  }

  required(element: string): EmulatorResponse {
    return this.fault(400, 'ValidationFault', [
      { Message: 'Required param missing, need to supply the required value for the API', Detail: `Required parameter ${element} is missing in the request`, code: '2020', element },
    ]);
  }

  /** What QBO answers when reading (or writing through) an object that does not exist or was deleted. */
  notFound(entity: string, id: string): EmulatorResponse {
    return this.fault(400, 'ValidationFault', [
      { Message: 'Object Not Found', Detail: `Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees. (${entity} ${id})`, code: '610' },
    ]);
  }

  stale(entity: string, id: string): EmulatorResponse {
    return this.fault(400, 'ValidationFault', [
      { Message: 'Stale Object Error', Detail: `Stale Object Error : You and another user were working on the same thing (${entity} ${id}). The SyncToken is out of date.`, code: '5010' },
    ]);
  }

  unsupported(detail: string): EmulatorResponse {
    return this.fault(400, 'ValidationFault', [{ Message: 'Unsupported Operation', Detail: detail, code: '500' }]);
  }

  queryError(detail: string): EmulatorResponse {
    return this.fault(400, 'ValidationFault', [{ Message: 'Error parsing query', Detail: `QueryParserError: ${detail}`, code: '4000' }]);
  }

  /** 401 as QBO sends it: lower-case `fault.error[]`, type AUTHENTICATION. */
  authenticationFailed(detail: string): EmulatorResponse {
    return {
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="Intuit", error="invalid_token"' },
      body: {
        fault: { error: [{ message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401', detail, code: '3200' }], type: 'AUTHENTICATION' },
        time: this.time(),
      },
    };
  }

  throttled(retryAfterSeconds: number, style: ThrottleStyle, detail = 'The request limit was reached.'): EmulatorResponse {
    const headers = { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) };
    if (style === 'xml403') {
      const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="${this.time()}">`
        + '<Fault type="SERVICE"><Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=403</Message>'
        + `<Detail>${detail}</Detail></Error></Fault></IntuitResponse>`;
      return { status: 403, headers: { ...headers, 'content-type': 'application/xml' }, body: xml };
    }
    return {
      status: 429,
      headers,
      body: {
        Fault: { Error: [{ Message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429', Detail: detail, code: '3001' }], type: 'SERVICE' },
        time: this.time(),
      },
    };
  }
}
