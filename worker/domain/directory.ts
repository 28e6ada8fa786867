/**
 * The one way to write a directory entry: the KV record (sign-in's source of truth) and the
 * company's directory index (CompanyDO `users`, for listing and exact-email lookup). Every
 * writer (demo seed, admin deactivate/reactivate) goes through `writeUser` so the two agree.
 */
import type { DirectoryEntry } from "../do/company-directory";
import type { Ports } from "../ports";
import type { UserRecord } from "./records";

export function directoryEntryOf(user: UserRecord): DirectoryEntry {
  return { userId: user.id, email: user.email, name: user.name, role: user.role, active: user.active, sso: user.sso };
}

/**
 * Writes KV first, then the index. Not atomic: if the index write fails the call throws (503)
 * and the person is missing from or stale in the listing until the write is repeated; sign-in
 * and every admin check read the KV record, so a stale index never grants anything.
 */
export async function writeUser(ports: Ports, user: UserRecord): Promise<void> {
  await ports.directory.putUser(user);
  await ports.company(user.companyId).putDirectoryEntry(directoryEntryOf(user));
}
