import Link from "next/link";
import { EmptyState } from "./components/ui/EmptyState";
import { PageBody } from "./components/ui/PageHeader";
import { btn } from "./components/ui/styles";

export default function NotFound() {
  return (
    <PageBody>
      <EmptyState
        title="Not found"
        action={
          <Link href="/" className={btn.secondary}>
            Back to runs
          </Link>
        }
      >
        There is nothing here, or it belongs to another namespace.
      </EmptyState>
    </PageBody>
  );
}
