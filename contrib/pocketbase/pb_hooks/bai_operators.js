/// <reference path="../pb_data/types.d.ts" />
// BAI's operators and audit trail (SPEC "The operator console"): one op per method of BAI's
// `OperatorStore` and `AuditTrail` ports, for the route of bai.pb.js. A module, `require`d by
// that route.
//
// `tbl_bai_operators` and `tbl_bai_audit` (pb_migrations/1700000004_bai_operators_and_audit.js)
// keep times as PocketBase writes them, `2006-01-02 15:04:05.000Z`, which sort as they read:
// BAI sends its own in that form. An add reads and saves in one transaction, and PocketBase
// writes one transaction at a time, so of concurrent adds of one email one saves (the unique
// index on the email stands behind it); a change or a removal is one statement. The audit
// trail has two ops, one that saves an entry and one that lists them: none changes or removes
// one.

const R = require(`${__hooks}/bai_records.js`);
const OPERATORS = "tbl_bai_operators";
const AUDIT = "tbl_bai_audit";
const OPERATOR_FIELDS = ["email", "role", "password_hash", "created", "updated"];
const AUDIT_FIELDS = ["at", "actor", "action", "target", "address", "detail"];
const OPERATOR_COLUMNS = ["id", ...OPERATOR_FIELDS];
const SELECT_OPERATORS = `SELECT ${OPERATOR_COLUMNS.join(", ")} FROM ${OPERATORS}`;

const changed = (sql, params) => $app.db().newQuery(sql).bind(params).execute().rowsAffected() === 1;

// An op that sets the operator's `field`, and its `updated`, to what BAI sent.
const setting = (field) => (e, body) =>
  e.json(200, {
    changed: changed(`UPDATE ${OPERATORS} SET ${field} = {:value}, updated = {:updated} WHERE email = {:email}`, {
      value: R.text(body[field]),
      updated: R.text(body.updated),
      email: R.text(body.email),
    }),
  });

const operators = {
  operator_add: (e, body) => {
    let added = false;
    $app.runInTransaction((tx) => {
      if (R.findWhere(tx, OPERATORS, "email = {:email}", { email: R.text(body.email) })) return;
      tx.save(R.newRecord(tx, OPERATORS, body, OPERATOR_FIELDS));
      added = true;
    });
    return e.json(200, { added });
  },

  operator_by_email: (e, body) => {
    const found = R.rows($app, OPERATOR_COLUMNS, `${SELECT_OPERATORS} WHERE email = {:email}`, {
      email: R.text(body.email),
    });
    return e.json(200, { operator: found.length ? found[0] : null });
  },

  // By email, in code-point order (SQLite's binary collation), as BAI's other stores list them.
  operator_all: (e) =>
    e.json(200, { operators: R.rows($app, OPERATOR_COLUMNS, `${SELECT_OPERATORS} ORDER BY email`, {}) }),

  operator_count: (e) => e.json(200, { total: $app.countRecords(OPERATORS) }),

  operator_set_password: setting("password_hash"),

  operator_set_role: setting("role"),

  operator_remove: (e, body) =>
    e.json(200, { removed: changed(`DELETE FROM ${OPERATORS} WHERE email = {:email}`, { email: R.text(body.email) }) }),
};

const audit = {
  audit_record: (e, body) => {
    $app.save(R.newRecord($app, AUDIT, body, AUDIT_FIELDS));
    return e.json(200, {});
  },

  // Newest first, ties by id; those about `target` alone with `target`; those before the keyset
  // position `(before, before_id)` with `before`.
  audit_recent: (e, body) =>
    e.json(200, { entries: R.newestFirst(AUDIT, ["id", ...AUDIT_FIELDS], "at", "target", body) }),
};

module.exports = { operators: R.opsOn([OPERATORS], operators), audit: R.opsOn([AUDIT], audit) };
