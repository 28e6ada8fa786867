/**
 * The media type a sensitive action's body is read as. An approval shows a summary read from the
 * body, and the origin acts on its own reading of the same bytes: the two agree only if both read
 * them as the same type, so the type is bound into the approval and the origin is sent the
 * canonical type that was summarised (docs/decisions/0014-what-you-approve-is-what-is-sent.md).
 * Pure.
 */

/** The types a summary can read exactly as origins do; "" is a request with an empty body. */
export type ActionMediaType = "application/json" | "application/x-www-form-urlencoded" | "";

const READABLE = new Set<string>(["application/json", "application/x-www-form-urlencoded"]);

/** `charset` with this value is the only parameter allowed: both readers decode UTF-8. */
const PARAMETER = /^\s*charset\s*=\s*(?:"utf-8"|utf-8)\s*$/i;

/**
 * The canonical media type of a sensitive action's body, or null when the gateway cannot read it
 * as the origin will: another type (text/plain, multipart, vendor +json), another charset, an
 * unknown parameter, any content coding (an origin may inflate a body the gateway sees
 * compressed), or a non-empty body with no declared type (an origin may sniff it).
 */
export function actionMediaType(contentType: string | undefined, contentEncoding: string | undefined, bodyBytes: number): ActionMediaType | null {
  if (contentEncoding !== undefined && contentEncoding.trim().toLowerCase() !== "identity") return null;
  // Nothing to read: what the body was declared as cannot change what the origin acts on.
  if (bodyBytes === 0) return "";
  if (contentType === undefined) return null;
  const [, ...parameters] = contentType.split(";");
  const type = mediaTypeEssence(contentType);
  if (!READABLE.has(type)) return null;
  if (!parameters.every((parameter) => PARAMETER.test(parameter))) return null;
  return type as ActionMediaType;
}

/** The type and subtype of a Content-Type value, lower-cased, without parameters ("" if none). */
export function mediaTypeEssence(contentType: string | undefined): string {
  return (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
}
