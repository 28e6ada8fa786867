/**
 * Duplicate member names in a JSON object are refused at the boundary: parsers disagree about
 * which one wins ("last" in JSON.parse, "first" elsewhere), which is a classic smuggling vector.
 * A single pass over an already-valid JSON text (call it after JSON.parse succeeded).
 */
export function hasDuplicateKeys(json: string): boolean {
  const stack: Array<Set<string> | null> = []; // a Set per open object, null per open array
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const char = json[i];
    if (char === '"') {
      let end = i + 1;
      while (end < json.length && json[end] !== '"') end += json[end] === "\\" ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (top.has(key)) return true;
        top.add(key);
        expectKey = false;
      }
      i = end;
    } else if (char === "{") {
      stack.push(new Set());
      expectKey = true;
    } else if (char === "[") {
      stack.push(null);
    } else if (char === "}" || char === "]") {
      stack.pop();
    } else if (char === ",") {
      expectKey = stack[stack.length - 1] instanceof Set;
    }
  }
  return false;
}
