/**
 * Human-readable texts. The standard variant uses framework-like wording; the
 * legal variant words everything differently, except the two messages whose
 * content the contract pins (the existing id in a 409, the offending address
 * in an invalid-email 400).
 */

export interface Messages {
  routeNotFound(method: string, path: string): string;
  missingSecret: string;
  invalidCredentials: string;
  invalidUserId: string;
  userNotFound(id: number): string;
  conflict(existingId: number): string;
  conflictNoId: string;
  invalidEmail(address: string): string;
  payloadTooLarge: string;
  malformedJson: string;
  bodyNotObject: string;
  unsupportedContentType(type: string): string;
  badPathEncoding: string;
  headersTooLarge: string;
  badHttp: string;
  internal: string;
  validationSummary(problems: string[]): string;
  /** Query parameter `name` must be an integer in [min, max]. */
  queryInt(name: string, min: number, max: number): string;
  queryRepeated(name: string): string;
  // field level
  required(field: string): string;
  mustBeString(field: string): string;
  mustBeInteger(field: string): string;
  mustBeNumber(field: string): string;
  mustBeOneOf(field: string, values: readonly (string | number)[]): string;
  invalidTimeZone(field: string): string;
  invalidUrl(field: string): string;
  mustBeObject(field: string): string;
  metadataTooManyKeys(max: number): string;
  metadataKeyTooLong(key: string, max: number): string;
  metadataValueTooLong(key: string, max: number): string;
  metadataBadValue(key: string): string;
  /** Extra advice the legal variant adds to every error envelope. */
  hint(status: number): string;
}

const short = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n)}…` : s);

export const STANDARD_MESSAGES: Messages = {
  routeNotFound: (method, path) => `Cannot ${method} ${short(path, 200)}`,
  missingSecret: 'OAuth client secret key is missing',
  invalidCredentials: 'Invalid OAuth client credentials',
  invalidUserId: 'Validation failed (numeric string is expected)',
  userNotFound: (id) => `User with id ${id} not found`,
  conflict: (id) => `User with the provided e-mail already exists. Existing user ID=${id}`,
  conflictNoId: 'User with the provided e-mail already exists.',
  invalidEmail: (address) => `Invalid email ${address}`,
  payloadTooLarge: 'request entity too large',
  malformedJson: 'Unexpected token in JSON body',
  bodyNotObject: 'Request body must be a JSON object',
  unsupportedContentType: (type) => `Unsupported content type ${short(type)}: send application/json`,
  badPathEncoding: 'Failed to decode request path',
  headersTooLarge: 'Request header fields too large',
  badHttp: 'Bad Request',
  internal: 'Internal server error',
  validationSummary: (problems) => problems.join(', '),
  queryInt: (name, min, max) => `${name} must be an integer between ${min} and ${max}`,
  queryRepeated: (name) => `${name} must be given at most once`,
  required: (field) => `${field} should not be empty`,
  mustBeString: (field) => `${field} must be a string`,
  mustBeInteger: (field) => `${field} must be an integer number`,
  mustBeNumber: (field) => `${field} must be a number conforming to the specified constraints`,
  mustBeOneOf: (field, values) => `${field} must be one of the following values: ${values.join(', ')}`,
  invalidTimeZone: (field) => `${field} must be a valid IANA time zone`,
  invalidUrl: (field) => `${field} must be a URL address`,
  mustBeObject: (field) => `${field} must be an object`,
  metadataTooManyKeys: (max) => `Metadata must have at most ${max} keys`,
  metadataKeyTooLong: (key, max) => `Metadata key ${short(key)} is longer than ${max} characters`,
  metadataValueTooLong: (key, max) => `Metadata value of ${short(key)} is longer than ${max} characters`,
  metadataBadValue: (key) => `Metadata value of ${short(key)} must be a string, number or boolean`,
  hint: () => '',
};

export const LEGAL_MESSAGES: Messages = {
  routeNotFound: (method, path) => `No route matches ${method} ${short(path, 200)}`,
  missingSecret: 'Authentication required: x-cal-secret-key header absent',
  invalidCredentials: 'Authentication failed for this OAuth client',
  invalidUserId: 'The user id in the path is not a valid integer',
  userNotFound: (id) => `No managed user ${id} for this OAuth client`,
  conflict: (id) => `A user with this e-mail exists already (existing user ID=${id})`,
  conflictNoId: 'A user with this e-mail exists already',
  invalidEmail: (address) => `Filter value is not an e-mail address: ${address}`,
  payloadTooLarge: 'Body exceeds the 1 MiB limit',
  malformedJson: 'Body is not well-formed JSON',
  bodyNotObject: 'Body must be a JSON object at the top level',
  unsupportedContentType: (type) => `Content type ${short(type)} is not accepted here`,
  badPathEncoding: 'Path contains an invalid percent-escape',
  headersTooLarge: 'Request head exceeds the size limit',
  badHttp: 'Malformed HTTP request',
  internal: 'Unexpected failure',
  validationSummary: (problems) => `Body rejected: ${problems.length} problem(s) found`,
  queryInt: (name, min, max) => `Query parameter '${name}' expects a whole number in ${min}..${max}`,
  queryRepeated: (name) => `Query parameter '${name}' was repeated`,
  required: (field) => `'${field}' is mandatory`,
  mustBeString: (field) => `'${field}' expects text`,
  mustBeInteger: (field) => `'${field}' expects a whole number`,
  mustBeNumber: (field) => `'${field}' expects a number`,
  mustBeOneOf: (field, values) => `'${field}' accepts only ${values.join(' | ')}`,
  invalidTimeZone: (field) => `'${field}' is not a time zone from the tz database`,
  invalidUrl: (field) => `'${field}' expects an absolute http(s) link`,
  mustBeObject: (field) => `'${field}' expects a JSON object`,
  metadataTooManyKeys: (max) => `'metadata' holds more than ${max} entries`,
  metadataKeyTooLong: (key, max) => `'metadata' entry name '${short(key)}' exceeds ${max} characters`,
  metadataValueTooLong: (key, max) => `'metadata.${short(key)}' exceeds ${max} characters`,
  metadataBadValue: (key) => `'metadata.${short(key)}' must be text, a number or true/false`,
  hint: (status) =>
    status === 401 || status === 403
      ? 'Send the OAuth client secret in the x-cal-secret-key header.'
      : status === 404
        ? 'Check the client id, the user id and the path prefix.'
        : status === 409
          ? 'Look the existing user up with ?emails= instead of creating it again.'
          : 'See the API reference for the accepted input.',
};
