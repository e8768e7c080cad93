import Link from "next/link";
import { EmptyState } from "../components/ui/EmptyState";
import { PageBody } from "../components/ui/PageHeader";
import { btn } from "../components/ui/styles";

/** What non-admins get at /tokens (with a 404 status, like the API's refusal reveals nothing). */
export default function TokensNotFound() {
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
        Tokens are managed by the namespace's admins. Ask one for a token with the role you need.
      </EmptyState>
    </PageBody>
  );
}
