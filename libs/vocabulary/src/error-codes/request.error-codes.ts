/** Any endpoint: the request itself, before a module looks at it, or the API's own backends. */
export const REQUEST_ERROR_CODES = ['VALIDATION_FAILED', 'CREDENTIAL_REQUIRED', 'HOST_NOT_ALLOWED', 'UNSUPPORTED_MEDIA_TYPE', 'BACKEND_UNAVAILABLE'] as const;
