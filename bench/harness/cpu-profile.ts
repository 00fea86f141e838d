import fs from 'node:fs';

/** A V8 CPU profile (`node --cpu-prof`), summed by function and by where the code lives. */
type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

export type CpuSummary = {
  /** Sampled time the process was busy (idle excluded), ms. */
  busyMs: number;
  byFunction: Array<{ name: string; ms: number }>;
  byPlace: Array<{ name: string; ms: number }>;
};

const idle = new Set(['(idle)', '(program)']);

/** Where a script lives: a package, Patron's source directory, Node's internals, or V8 (GC). */
function placeOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  const src = /\/src\/((?:modules|platform|db)\/[^/]+|[^/]+)/.exec(url);
  if (src) return `src/${src[1]}`;
  if (url.startsWith('node:')) return 'node: (core)';
  return url.replace(/^file:\/\//, '');
}

export function summarizeCpuProfile(file: string, top = 20): CpuSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const functions = new Map<string, number>();
  const places = new Map<string, number>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (idle.has(frame.functionName)) continue;
    busyUs += us;
    const place = placeOf(frame.url, frame.functionName);
    const name = `${frame.functionName || '(anonymous)'}  ${place}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    places.set(place, (places.get(place) ?? 0) + us);
  }
  const ranked = (map: Map<string, number>) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, ms: us / 1000 }));
  return { busyMs: busyUs / 1000, byFunction: ranked(functions), byPlace: ranked(places) };
}
