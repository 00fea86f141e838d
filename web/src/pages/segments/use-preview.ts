import { useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../../api.ts';
import { placeFieldProblems, type Compiled } from './rule-tree.ts';
import type { Preview } from './segment-types.ts';

export type PreviewState = { preview: Preview | null; error: unknown; counting: boolean; problems: Map<string, string[]> };

/**
 * The live count: the rules go to POST /v1/segments/preview a moment after the last edit; an
 * answer to rules edited since is dropped. The server's problems are put beside the node they
 * name (its place in the rules, `rules.all[1].value`).
 */
export function usePreview(compiled: Compiled, delayMs = 400): PreviewState {
  const [state, setState] = useState<PreviewState>({ preview: null, error: null, counting: false, problems: new Map() });
  const sent = useRef(0);
  const body = compiled.rules && compiled.unfinished === 0 ? JSON.stringify(compiled.rules) : null;
  useEffect(() => {
    if (!body) {
      setState((previous) => ({ ...previous, counting: false, error: null, problems: new Map() }));
      return;
    }
    const mine = ++sent.current;
    setState((previous) => ({ ...previous, counting: true }));
    const timer = setTimeout(() => {
      api.post<Preview>('/v1/segments/preview', { rules: JSON.parse(body) }).then(
        (preview) => mine === sent.current && setState({ preview, error: null, counting: false, problems: new Map() }),
        (error: unknown) => mine === sent.current && setState({ preview: null, error, counting: false, problems: placeProblems(error, compiled.paths) }),
      );
    }, delayMs);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the body says everything the count depends on
  }, [body]);
  return state;
}

/** The server's problems with the rules (a refused preview or save), beside the nodes they name. */
export function placeProblems(error: unknown, paths: Map<string, string>): Map<string, string[]> {
  return error instanceof ApiError ? placeFieldProblems(error.fields, paths) : new Map();
}
