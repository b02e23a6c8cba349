// What a "Connect with Amazon" callback ended in. The callback redirects to /settings with only this code
// in the address (never Amazon's text, which an attacker could craft), and the page shows the message.
// Only constants here: the settings page (a client component) imports it.

export const CONNECT_RESULT_PARAM = "amazon_connect";

const failed = (why: string) =>
  ({ ok: false, message: `${why} Nothing was saved; press Connect with Amazon to try again.` }) as const;

export const CONNECT_RESULTS = {
  connected: {
    ok: true,
    message:
      "Connected with Amazon: the refresh token is saved (encrypted). The profiles this login can reach are listed below.",
  },
  connected_all: {
    ok: true,
    message:
      "Connected with Amazon: the refresh token is saved (encrypted). No profile was chosen yet, so every profile this login can see is selected; to sync only some, list their IDs and Save.",
  },
  cancelled: failed(`You cancelled on Amazon's page, so Amazon gave no access.`),
  amazon_error: failed(
    `Amazon answered with an error instead of an authorisation code (check that the client ID is enabled for the Amazon Ads API and that this app's return URL is allowed in its security profile).`,
  ),
  state_missing: failed(`Amazon's answer carried no state value, so it cannot be matched to a Connect you started.`),
  state_unknown: failed(
    `Amazon's answer does not match a Connect with Amazon in progress: it was already used, or was not started here.`,
  ),
  state_expired: failed(`The Connect with Amazon attempt expired (it must be finished within 10 minutes).`),
  state_foreign: failed(
    `Amazon's answer belongs to a Connect with Amazon started by another user, or for an organisation you are not an admin of.`,
  ),
  code_missing: failed(`Amazon's answer carried no authorisation code.`),
  code_rejected: failed(`Amazon rejected the authorisation code (codes last 5 minutes and work once).`),
  client_rejected: failed(
    `Amazon rejected the client ID or client secret; check both against your Login with Amazon security profile.`,
  ),
  unavailable: failed(`Login with Amazon could not be reached or did not answer as expected.`),
} as const satisfies Record<string, { ok: boolean; message: string }>;

export type ConnectResult = keyof typeof CONNECT_RESULTS;

export function isConnectResult(value: string | null): value is ConnectResult {
  return value !== null && Object.hasOwn(CONNECT_RESULTS, value);
}
