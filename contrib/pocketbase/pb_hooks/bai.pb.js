/// <reference path="../pb_data/types.d.ts" />
// BAI's storage API inside PocketBase (SPEC, PocketBase: "Beside a live PocketBase").
//
// PocketBase's REST API hides the collection's token secret and every record's tokenKey, even
// from superusers, and has no conditional update; BAI needs both to issue tokens PocketBase
// accepts and to write a profile only for a user still allowed it. So BAI talks to this one
// route, as a superuser: POST /api/bai/{op} with a JSON body. A superuser can already read
// everything (backups hold data.db), so nothing is exposed that it could not reach.
//
// Ops: secret, user, list, add, profile, withdraw, status, token_key, delete, count,
// registrations, ping (users and companies), and claim, read, settle, release (the login code
// ledger, a table of its own, `_bai_login_codes`, made at start and swept every minute), the
// identity ops of bai_identities.js (find, register, link, ...: users' identities per
// mini-program), the session ops of bai_sessions.js (holder, start, renew, end, begun_between,
// ...), the push event ops of bai_push_events.js (push_seen, push_add, push_forget,
// push_recent, push_sweep), and the operator and audit ops of bai_operators.js (operator_add,
// operator_by_email, operator_all, operator_count, operator_set_password, operator_set_role,
// operator_remove; audit_record, audit_recent).
//
// A sign-out at BAI holds here too: a global middleware refuses (401) a token whose `sid` names
// a session that is ended, expired or not its user's, and PocketBase's auth-refresh of such a
// token, which would drop the claim, answers one that keeps it (bai_sessions.js).
//
// Each handler runs in a VM of its own, so everything it uses is defined or `require`d inside
// it: bai_records.js holds what the ops share (the user's fields among them).

onBootstrap((e) => {
  e.next();
  e.app
    .db()
    .newQuery(
      "CREATE TABLE IF NOT EXISTS _bai_login_codes (code_hash TEXT PRIMARY KEY NOT NULL," +
        " state TEXT NOT NULL, openid TEXT NOT NULL DEFAULT ''," +
        " unionid TEXT NOT NULL DEFAULT '', expires_at REAL NOT NULL)"
    )
    .execute();
});

routerUse((e) => require(`${__hooks}/bai_sessions.js`).guard(e));

onRecordAuthRefreshRequest((e) => require(`${__hooks}/bai_sessions.js`).noteRefresh(e), "tbl_auth_users");

onRecordAuthRequest((e) => require(`${__hooks}/bai_sessions.js`).keepSession(e), "tbl_auth_users");

cronAdd("bai_sweep_login_codes", "* * * * *", () => {
  $app
    .db()
    .newQuery(
      "DELETE FROM _bai_login_codes WHERE expires_at < (julianday('now') - 2440587.5) * 86400.0"
    )
    .execute();
});

routerAdd(
  "POST",
  "/api/bai/{op}",
  (e) => {
    const R = require(`${__hooks}/bai_records.js`);
    const identities = require(`${__hooks}/bai_identities.js`);
    const sessions = require(`${__hooks}/bai_sessions.js`);
    const pushEvents = require(`${__hooks}/bai_push_events.js`);
    const { operators, audit } = require(`${__hooks}/bai_operators.js`);
    const { USERS, text, find, exported, taken } = R;
    const NOW = "((julianday('now') - 2440587.5) * 86400.0)";
    const body = e.requestInfo().body || {};
    const op = e.request.pathValue("op");
    const answer = (data) => e.json(200, data);
    const conflict = (field) => e.json(409, { taken: field });
    // What `change(tx, record)` returns for the user `body.id` names, in one transaction (whose
    // callback returns nothing: a value would abort it); `{ user: null }` when there is none.
    const changeUser = (change) => {
      let result = null;
      $app.runInTransaction((tx) => {
        const record = find(tx, USERS, "id", text(body.id));
        result = record ? change(tx, record) : { user: null };
      });
      return result;
    };
    // The user's record saved, at BAI's `updated` when given, as BAI's answer shows it.
    const saved = (tx, record) => {
      if (body.updated) record.setRaw("updated", text(body.updated));
      tx.save(record);
      return { user: exported(tx, record) };
    };

    if (identities.has(op)) return identities.handle(e, op, body);
    if (sessions.has(op)) return sessions.handle(e, op, body);
    if (pushEvents.has(op)) return pushEvents.handle(e, op, body);
    if (operators.has(op)) return operators.handle(e, op, body);
    if (audit.has(op)) return audit.handle(e, op, body);
    switch (op) {
      case "secret": {
        const users = $app.findCollectionByNameOrId(USERS);
        return answer({ collection_id: users.id, secret: users.authToken.secret });
      }
      case "ping":
        $app.db().newQuery("SELECT 1").execute();
        return answer({});
      case "count":
        return answer({ total: $app.countRecords(USERS) });
      case "registrations": {
        // Users registered in [since, until), per UTC day (the text's first ten characters),
        // oldest first: the operator console's chart.
        const days = R.rows(
          $app,
          ["day", "total"],
          `SELECT substr(created, 1, 10) AS day, count(*) AS total FROM ${USERS}` +
            " WHERE created >= {:since} AND created < {:until} GROUP BY day ORDER BY day",
          { since: text(body.since), until: text(body.until) }
        );
        return answer({ days });
      }
      case "user": {
        const record = body.id ? find($app, USERS, "id", text(body.id)) : find($app, USERS, "openid", text(body.openid));
        return answer({ user: exported($app, record) });
      }
      case "list": {
        // One page of `bai users list`, in (created, id) order; BAI sends times as PocketBase
        // writes them, so they compare as the text they are stored as. An empty status is
        // BAI's `active`.
        const terms = ["id != ''"];
        if (body.status === "active") terms.push("(users_status = 'active' || users_status = '')");
        else if (body.status) terms.push("users_status = {:status}");
        if (body.since) terms.push("created >= {:since}");
        if (body.has_phone === true) terms.push("users_phone != ''");
        if (body.has_phone === false) terms.push("users_phone = ''");
        if (body.after_id) terms.push("(created > {:after} || (created = {:after} && id > {:after_id}))");
        // An operator's search: every value a bound parameter, never filter syntax; `name` is
        // a LIKE pattern BAI escaped (backslash), which `~` takes as it is.
        if (body.pb_id) terms.push("id = {:pb_id}");
        if (body.phone) terms.push("users_phone = {:phone}");
        if (body.name) terms.push("users_name ~ {:name}");
        if (body.app) terms.push(`${R.IDENTITIES}_via_user.appid ?= {:app}`);
        const params = {
          status: text(body.status), since: text(body.since), after: text(body.after), after_id: text(body.after_id),
          pb_id: text(body.pb_id), phone: text(body.phone), name: text(body.name), app: text(body.app),
        };
        const records = $app.findRecordsByFilter(USERS, terms.join(" && "), "created,id", Number(body.limit), 0, params);
        return answer({ users: records.map((record) => exported($app, record)) });
      }
      case "add": {
        let result = null;
        $app.runInTransaction((tx) => {
          const held = find(tx, USERS, "openid", text(body.openid));
          if (held) {
            result = { user: exported(tx, held), added: false };
            return;
          }
          if (find(tx, USERS, "id", text(body.id))) {
            result = { taken: "id" };
            return;
          }
          const record = R.newUser(tx, body);
          const field = taken(tx, record);
          if (field) {
            result = { taken: field };
            return;
          }
          tx.save(record);
          result = { user: exported(tx, record), added: true };
        });
        if (result.taken === "openid") {
          return answer({ user: exported($app, find($app, USERS, "openid", text(body.openid))), added: false });
        }
        return result.taken ? conflict(result.taken) : answer(result);
      }
      case "profile": {
        const result = changeUser((tx, record) => {
          if (record.tokenKey() !== text(body.tokenKey) || record.getString("users_status") === "disabled") {
            return { user: null };
          }
          record.set("users_name", text(body.users_name));
          record.set("users_phone", text(body.users_phone));
          record.set("users_picture", text(body.users_picture));
          return taken(tx, record) === "users_phone" ? { taken: "users_phone" } : saved(tx, record);
        });
        return result.taken ? conflict(result.taken) : answer(result);
      }
      case "withdraw":
        // Fields a person withdrew (SPEC "WeChat's push events"), named comma-separated: each
        // cleared whatever the user's status or key; saved (and `updated` moved) only when one
        // held something.
        return answer(
          changeUser((tx, record) => {
            const named = text(body.fields).split(",");
            const held = R.WITHDRAWN.filter((name) => named.indexOf(name) >= 0 && record.getString(name));
            held.forEach((name) => record.set(name, ""));
            return held.length ? saved(tx, record) : { user: exported(tx, record) };
          })
        );
      case "status":
      case "token_key":
        return answer(
          changeUser((tx, record) => {
            if (op === "status") record.set("users_status", text(body.users_status));
            else record.setTokenKey(text(body.tokenKey));
            return saved(tx, record);
          })
        );
      case "delete": {
        const record = find($app, USERS, "id", text(body.id));
        if (record) $app.delete(record);
        return answer({ deleted: !!record });
      }
      case "claim": {
        const claimed = $app
          .db()
          .newQuery(
            "INSERT INTO _bai_login_codes (code_hash, state, openid, unionid, expires_at)" +
              ` VALUES ({:key}, 'pending', '', '', ${NOW} + {:seconds})` +
              " ON CONFLICT (code_hash) DO UPDATE SET state = 'pending', openid = '', unionid = ''," +
              ` expires_at = excluded.expires_at WHERE _bai_login_codes.expires_at <= ${NOW}`
          )
          .bind({ key: text(body.key), seconds: Number(body.seconds) })
          .execute();
        return answer({ mine: claimed.rowsAffected() === 1 });
      }
      case "read": {
        const rows = arrayOf(new DynamicModel({ state: "", openid: "", unionid: "" }));
        $app
          .db()
          .newQuery(
            "SELECT state, openid, unionid FROM _bai_login_codes" +
              ` WHERE code_hash = {:key} AND expires_at > ${NOW}`
          )
          .bind({ key: text(body.key) })
          .all(rows);
        return answer({ row: rows.length ? rows[0] : null });
      }
      case "settle":
        $app
          .db()
          .newQuery(
            "UPDATE _bai_login_codes SET state = {:state}, openid = {:openid}, unionid = {:unionid}," +
              ` expires_at = ${NOW} + {:seconds} WHERE code_hash = {:key}`
          )
          .bind({
            key: text(body.key),
            state: text(body.state),
            openid: text(body.openid),
            unionid: text(body.unionid),
            seconds: Number(body.seconds),
          })
          .execute();
        return answer({});
      case "release":
        $app
          .db()
          .newQuery("DELETE FROM _bai_login_codes WHERE code_hash = {:key} AND state = 'pending'")
          .bind({ key: text(body.key) })
          .execute();
        return answer({});
    }
    return e.json(404, { message: "unknown op" });
  },
  $apis.requireSuperuserAuth()
);
