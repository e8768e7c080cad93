import Link from "next/link";

export default function RunNotFound() {
  return (
    <main className="mx-auto max-w-xl px-6 py-24 text-center">
      <h1 className="text-xl font-semibold">Run not found</h1>
      <p className="mt-2 text-sm text-slate-500 dark:text-slate-400">
        It does not exist, or it belongs to another namespace.
      </p>
      <Link href="/" className="mt-6 inline-block text-sm font-medium text-sky-700 hover:underline dark:text-sky-400">
        ← All runs
      </Link>
    </main>
  );
}
