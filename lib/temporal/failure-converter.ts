// The failure converter of every Temporal client, worker and workflow bundle in Settle (named by path in
// settleDataConverter, lib/temporal/payload-codec.ts). A failure's message and stack trace can hold what a payload
// holds (a customer's name in a refusal, an input in an error): they go into the failure's `encodedAttributes`, a
// payload the codec encrypts, and the history keeps only the placeholder message "Encoded failure".
//
// Failures recorded before this (message in clear, no encodedAttributes) still decode: the converter reads
// encodedAttributes when present and the plain fields otherwise.
//
// The SDK loads this module by path in the worker's main thread and inside the workflow sandbox (the bundle is built
// with it): it must import only workflow-safe code.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
