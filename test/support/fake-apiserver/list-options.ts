// The ListOptions of a list or watch request as kube-apiserver reads and validates them
// (apimachinery's meta/internalversion/validation ValidateListOptions): which
// combinations of sendInitialEvents, resourceVersionMatch, resourceVersion and continue
// it refuses, with 422 Invalid and the field errors in its message, and how it refuses
// sendInitialEvents when its WatchList feature gate is off.

/** The annotation of the BOOKMARK that ends a streaming list's initial events (metav1.InitialEventsAnnotationKey). */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

/**
 * How the server takes a streaming list (a watch with sendInitialEvents, KEP-3157):
 * 'enabled' as kube-apiserver with its WatchList feature on; 'disabled' as with it off (422
 * "sendInitialEvents is forbidden for watch unless ..."); 'ignored' as a server that does not
 * know the parameters and drops them: a plain watch, with no initial-events-end bookmark.
 */
export const WATCH_LIST_MODES = ['enabled', 'disabled', 'ignored'] as const;
export type WatchListMode = (typeof WATCH_LIST_MODES)[number];

export interface ListOptions {
  readonly watch: boolean;
  readonly resourceVersion: string;
  readonly resourceVersionMatch: string;
  readonly continueToken: string | undefined;
  /** undefined when not given, as Go's *bool. */
  readonly sendInitialEvents: boolean | undefined;
  readonly allowWatchBookmarks: boolean;
}

export class ListOptionsError extends Error {
  override readonly name = 'ListOptionsError';

  constructor(
    readonly status: 400 | 422,
    message: string,
  ) {
    super(message);
  }
}

/** strconv.ParseBool, which the query parameter conversion uses. */
function parseBool(name: string, text: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  throw new ListOptionsError(
    400,
    `${name}: invalid value "${text}": strconv.ParseBool: parsing "${text}": invalid syntax`,
  );
}

const NOT_OLDER_THAN = 'NotOlderThan';

const forbidden = (field: string, detail: string): string => `${field}: Forbidden: ${detail}`;
const notSupported = (field: string, value: string, supported: readonly string[]): string =>
  `${field}: Unsupported value: "${value}": supported values: ${supported.map((s) => `"${s}"`).join(', ')}`;

/** The field errors kube-apiserver finds in the options of a list or a watch. */
function fieldErrors(options: ListOptions, watchList: boolean): string[] {
  const errors: string[] = [];
  const match = options.resourceVersionMatch;
  if (options.watch) {
    if (options.sendInitialEvents !== undefined) {
      if (match !== NOT_OLDER_THAN)
        errors.push(
          forbidden(
            'resourceVersionMatch',
            `sendInitialEvents requires setting resourceVersionMatch to ${NOT_OLDER_THAN}`,
          ),
        );
      if (!watchList)
        errors.push(
          forbidden(
            'sendInitialEvents',
            'sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled',
          ),
        );
    }
    if (match !== '') {
      if (options.sendInitialEvents === undefined)
        errors.push(
          forbidden(
            'resourceVersionMatch',
            'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
          ),
        );
      if (match !== NOT_OLDER_THAN) errors.push(notSupported('resourceVersionMatch', match, [NOT_OLDER_THAN]));
      if (options.continueToken !== undefined)
        errors.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    }
    return errors;
  }
  if (match !== '') {
    if (options.resourceVersion === '')
      errors.push(
        forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'),
      );
    if (options.continueToken !== undefined)
      errors.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== 'Exact' && match !== NOT_OLDER_THAN)
      errors.push(notSupported('resourceVersionMatch', match, ['Exact', NOT_OLDER_THAN, '']));
    if (match === 'Exact' && options.resourceVersion === '0')
      errors.push(
        forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'),
      );
  }
  if (options.sendInitialEvents !== undefined)
    errors.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  return errors;
}

/**
 * The request's ListOptions, or a ListOptionsError: 400 for a value that does not parse,
 * 422 Invalid for a combination the server refuses. A server that ignores the streaming
 * list's parameters reads them as absent.
 */
export function readListOptions(
  query: Readonly<Record<string, string>>,
  watch: boolean,
  mode: WatchListMode,
): ListOptions {
  const ignored = mode === 'ignored';
  const sendInitialEvents = query['sendInitialEvents'];
  const options: ListOptions = {
    watch,
    resourceVersion: query['resourceVersion'] ?? '',
    resourceVersionMatch: ignored ? '' : (query['resourceVersionMatch'] ?? ''),
    continueToken: query['continue'],
    sendInitialEvents:
      ignored || sendInitialEvents === undefined ? undefined : parseBool('sendInitialEvents', sendInitialEvents),
    allowWatchBookmarks:
      query['allowWatchBookmarks'] !== undefined && parseBool('allowWatchBookmarks', query['allowWatchBookmarks']),
  };
  const errors = fieldErrors(options, mode === 'enabled');
  if (errors.length === 0) return options;
  const listed = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
  throw new ListOptionsError(422, `ListOptions.meta.k8s.io "" is invalid: ${listed}`);
}
