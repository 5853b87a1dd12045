// Every GraphQL operation the console sends, by name, in one place.
// Only the public API: what any client with a read key can run.

const op = (name, document) => ({ name, document });

const CONNECTION_FIELDS = `
  id connectionId userId status connectedAt disconnectedAt disconnectReason
  rejectCode rejectDescription sdkVersion platform deviceModel osVersion ip`;

const MESSAGE_FIELDS = `
  id msgUid senderId targetId channelType messageType builtinType source
  sentAt result muteScope prompt statusSettled`;

/** A message in a list: its fields and the counts behind the "Receive status" column. */
const MESSAGE_ROW = `${MESSAGE_FIELDS}
  receiptSummary { total delivered notDelivered offline pending pushSucceeded pushFailed }`;

const PAGE = "totalCount pageInfo { hasNextPage endCursor }";

const RECEIPT_FIELDS = `
  recipientId status statusAt pushSkipped
  history { status at }
  pushAttempts {
    provider sentAt success errorCode errorDescription
    error { code known meaning action advice retryable reference }
  }`;

/** The diagnosis selection (SPEC §7). Older services have no `diagnosis` field: the
 * console then asks without it (see `receiveStatus`) and shows no diagnosis. */
const DIAGNOSIS = "diagnosis { verdict summary }";

export const SIGN_IN = op("SignIn", "query SignIn { viewer { app retentionDays settleMinutes } }");

/** The key check for a service without `viewer`: any authenticated operation. */
export const SIGN_IN_KEY_ONLY = op("SignInKeyOnly", "query SignInKeyOnly { __typename }");

export const CONNECTIONS = op(
  "ConnectionStatus",
  `query ConnectionStatus($userId: ID!, $since: DateTime, $until: DateTime, $first: Int, $after: String) {
  user(id: $userId) {
    id
    connections(since: $since, until: $until, first: $first, after: $after) {
      ${PAGE}
      nodes { ${CONNECTION_FIELDS} }
    }
  }
}`,
);

export const CONNECTION_MESSAGES = op(
  "MessageMonitoring",
  `query MessageMonitoring($id: ID!, $first: Int, $after: String) {
  node(id: $id) {
    ... on ConnectionLog {
      ${CONNECTION_FIELDS}
      sentMessages(first: $first, after: $after) {
        ${PAGE}
        nodes { ${MESSAGE_ROW} }
      }
    }
  }
}`,
);

export const SENT_MESSAGES = op(
  "MessageStatus",
  `query MessageStatus($filter: SentMessageFilter!, $first: Int, $after: String) {
  sentMessages(filter: $filter, first: $first, after: $after) {
    ${PAGE}
    nodes { ${MESSAGE_ROW} }
  }
}`,
);

/** Receive status of one message, by msgUid or by node id (both are asked: whichever
 * the id is, the other answers null). */
export function receiveStatus({ diagnosis }) {
  const diag = diagnosis ? DIAGNOSIS : "";
  const message = `
    ${MESSAGE_FIELDS}
    ${diag}
    receiptSummary { total delivered notDelivered offline pending pushSucceeded pushFailed }
    receipts(recipientId: $recipientId, status: $status, first: $first) {
      ${PAGE}
      nodes { ${RECEIPT_FIELDS} ${diag} }
    }`;
  return op(
    diagnosis ? "ReceiveStatus" : "ReceiveStatusWithoutDiagnosis",
    `query ${diagnosis ? "ReceiveStatus" : "ReceiveStatusWithoutDiagnosis"}(
  $id: ID!, $msgUid: String!, $recipientId: ID, $status: ReceiptStatus, $first: Int
) {
  message(msgUid: $msgUid) { ${message} }
  node(id: $id) { ... on SentMessage { ${message} } }
}`,
  );
}

export function moreReceipts({ diagnosis }) {
  const diag = diagnosis ? DIAGNOSIS : "";
  const name = diagnosis ? "MoreReceipts" : "MoreReceiptsWithoutDiagnosis";
  return op(
    name,
    `query ${name}($id: ID!, $recipientId: ID, $status: ReceiptStatus, $first: Int, $after: String) {
  node(id: $id) {
    ... on SentMessage {
      receipts(recipientId: $recipientId, status: $status, first: $first, after: $after) {
        ${PAGE}
        nodes { ${RECEIPT_FIELDS} ${diag} }
      }
    }
  }
}`,
  );
}
