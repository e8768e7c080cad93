/** Per-namespace settings an ADMIN manages (today: the `command` node switch). */
import type { Db } from "../db/client";
import { notFound } from "../errors";

export interface NamespaceSettings {
  name: string;
  allowCommands: boolean;
}

const SELECT = { name: true, allowCommands: true } as const;

export async function getNamespaceSettings(db: Db, namespace: string): Promise<NamespaceSettings> {
  const ns = await db.namespace.findUnique({ where: { name: namespace }, select: SELECT });
  if (!ns) throw notFound("namespace");
  return ns;
}

export async function setNamespaceSettings(
  db: Db,
  namespace: string,
  patch: { allowCommands: boolean },
): Promise<NamespaceSettings> {
  const found = await db.namespace.updateMany({ where: { name: namespace }, data: patch });
  if (found.count === 0) throw notFound("namespace");
  return getNamespaceSettings(db, namespace);
}

/**
 * `command` nodes may be submitted and run in `namespace` only when the server allows them
 * (SIGNALBOX_ALLOW_COMMANDS=1) and an ADMIN of the namespace turned its switch on.
 */
export async function commandsAllowed(db: Db, serverAllows: boolean, namespace: string): Promise<boolean> {
  if (!serverAllows) return false;
  const ns = await db.namespace.findUnique({ where: { name: namespace }, select: { allowCommands: true } });
  return ns?.allowCommands ?? false;
}
