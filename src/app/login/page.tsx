import { hasAnyUser } from "@/lib/orgs/organisations";
import { bootstrapAdminFromEnv } from "@/lib/orgs/accounts";
import { LoginForm } from "@/components/LoginForm";
import { SetupForm } from "@/components/SetupForm";

export const dynamic = "force-dynamic";

export default async function LoginPage() {
  await bootstrapAdminFromEnv();
  const needsSetup = !(await hasAnyUser());
  return (
    <main>
      <div className="card">
        {needsSetup ? (
          <>
            <h1>Create the first admin</h1>
            <p className="help">No user exists yet. This creates your admin account and organisation 1.</p>
            <SetupForm />
          </>
        ) : (
          <>
            <h1>Sign in</h1>
            <LoginForm />
          </>
        )}
      </div>
    </main>
  );
}
