import Link from "next/link";
import { EmptyState } from "../components/ui/EmptyState";
import { PageBody } from "../components/ui/PageHeader";
import { btn } from "../components/ui/styles";

/** What non-admins get at /webhooks (with a 404 status, like the API's refusal reveals nothing). */
export default function WebhooksNotFound() {
  return (
    <PageBody>
      <EmptyState
        title="Admins only"
        action={
          <Link href="/" className={btn.secondary}>
            Back to runs
          </Link>
        }
      >
        Webhooks are managed by the namespace's admins.
      </EmptyState>
    </PageBody>
  );
}
