/** Logical ids referenced anywhere inside a template value (Ref and Fn::GetAtt). */
export function references(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => references(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') found.add(inner);
      else if (key === 'Fn::GetAtt') found.add((inner as string[])[0]!);
      else references(inner, found);
    }
  }
  return found;
}
