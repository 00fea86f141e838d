/** Every method and path the router knows, read from printRoutes' tree (its shape is stable in Fastify 5). */
export function registeredRoutes(tree: string): Array<{ method: string; path: string }> {
  const stack: string[] = [];
  const routes: Array<{ method: string; path: string }> = [];
  for (const line of tree.split('\n')) {
    const match = /^([\s│]*)[├└]── (.*?)(?: \(([^)]*)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(match[2] ?? '');
    const path = stack.join('');
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim()).filter(Boolean)) routes.push({ method, path });
  }
  return routes;
}

/** `/v1/customers/:id` as the OpenAPI document writes it: `/v1/customers/{id}`. */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');
