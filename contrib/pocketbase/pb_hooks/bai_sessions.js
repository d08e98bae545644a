/// <reference path="../pb_data/types.d.ts" />
// BAI's sessions (SPEC "Sessions and sign-out"): one op per method of BAI's `SessionStore` port,
// for the route of bai.pb.js, and what bai.pb.js's middleware and auth-refresh hooks ask of a
// token's session. A module, `require`d by them.
//
// `tbl_auth_sessions` (pb_migrations/1700000002_bai_sessions.js) keeps times as PocketBase
// writes them, `2006-01-02 15:04:05.000Z`, which sort as they read: BAI sends its own in that
// form, and NOW is SQLite's clock in it. A session starts as a record saved in one
// transaction with the ending of the user's oldest open sessions beyond the limit; every other
// write is one conditional statement, and PocketBase runs one write at a time.

const R = require(`${__hooks}/bai_records.js`);
const SESSIONS = "tbl_auth_sessions";
const NOW = "strftime('%Y-%m-%d %H:%M:%fZ', 'now')";
const REFRESHED = "bai.refreshed_sid"; // the request event's note for onRecordAuthRequest

const sessionOf = (record) => ({
  id: record.id,
  user: record.getString("user"),
  app: record.getString("app"),
  created: R.stamp(record, "created"),
  renewed: R.stamp(record, "renewed"),
  user_agent: record.getString("user_agent"),
  ended: R.stamp(record, "ended"),
});

const row = () =>
  new DynamicModel({ id: "", user: "", app: "", created: "", renewed: "", user_agent: "", ended: "" });

const changed = (db, sql, params) => db.newQuery(sql).bind(params).execute().rowsAffected();

const ops = {
  holder: (e, body) => {
    const user = R.find($app, R.USERS, "id", R.text(body.pb_id));
    if (!user) return e.json(200, { user: null, session: null });
    const session = R.find($app, SESSIONS, "id", R.text(body.id));
    const theirs = session && session.getString("user") === user.id;
    return e.json(200, { user: R.exported($app, user), session: theirs ? sessionOf(session) : null });
  },

  session: (e, body) => {
    const session = R.find($app, SESSIONS, "id", R.text(body.id));
    return e.json(200, { session: session ? sessionOf(session) : null });
  },

  start: (e, body) => {
    let result = null;
    $app.runInTransaction((tx) => {
      const user = R.find(tx, R.USERS, "id", R.text(body.pb_id));
      if (!user || R.find(tx, SESSIONS, "id", R.text(body.id))) {
        result = { started: false, ended: 0 };
        return;
      }
      const record = new Record(tx.findCollectionByNameOrId(SESSIONS));
      record.id = R.text(body.id);
      record.set("user", user.id);
      record.set("app", R.text(body.app));
      record.set("user_agent", R.text(body.user_agent));
      record.setRaw("created", R.text(body.created)); // BAI's clock, kept by the autodate field
      record.set("renewed", R.text(body.renewed));
      record.set("expires", R.text(body.expires));
      tx.save(record);
      const ended = changed(
        tx.db(),
        `UPDATE ${SESSIONS} SET ended = {:at} WHERE id IN (SELECT id FROM ${SESSIONS}` +
          " WHERE user = {:user} AND ended = '' ORDER BY created DESC, id DESC LIMIT -1 OFFSET {:limit})",
        { at: R.text(body.created), user: user.id, limit: Math.max(0, Math.floor(Number(body.limit) || 0)) }
      );
      result = { started: true, ended };
    });
    return e.json(200, result);
  },

  renew: (e, body) => {
    const renewed = changed(
      $app.db(),
      `UPDATE ${SESSIONS} SET renewed = {:at} WHERE id = {:id} AND user = {:user} AND ended = ''` +
        ` AND EXISTS (SELECT 1 FROM ${R.USERS} WHERE id = {:user} AND tokenKey = {:key}` +
        " AND users_status IN ('active', ''))",
      { at: R.text(body.at), id: R.text(body.id), user: R.text(body.pb_id), key: R.text(body.tokenKey) }
    );
    return e.json(200, { renewed: renewed === 1 });
  },

  end: (e, body) => {
    const ended = changed(
      $app.db(),
      `UPDATE ${SESSIONS} SET ended = {:at} WHERE id = {:id} AND user = {:user} AND ended = ''`,
      { at: R.text(body.at), id: R.text(body.id), user: R.text(body.pb_id) }
    );
    return e.json(200, { ended });
  },

  end_all: (e, body) => {
    const ended = changed(
      $app.db(),
      `UPDATE ${SESSIONS} SET ended = {:at} WHERE user = {:user} AND ended = ''`,
      { at: R.text(body.at), user: R.text(body.pb_id) }
    );
    return e.json(200, { ended });
  },

  open_of: (e, body) => {
    const rows = arrayOf(row());
    $app
      .db()
      .newQuery(
        "SELECT id, user, app, created, renewed, user_agent, ended FROM " + SESSIONS +
          " WHERE user = {:user} AND ended = '' AND created > {:after} ORDER BY created DESC, id DESC"
      )
      .bind({ user: R.text(body.pb_id), after: R.text(body.began_after) })
      .all(rows);
    return e.json(200, { sessions: rows });
  },

  // A user's last sessions (sign-ins), ended or not, newest first.
  recent_of: (e, body) => {
    const rows = arrayOf(row());
    $app
      .db()
      .newQuery(
        "SELECT id, user, app, created, renewed, user_agent, ended FROM " + SESSIONS +
          " WHERE user = {:user} ORDER BY created DESC, id DESC LIMIT {:limit}"
      )
      .bind({ user: R.text(body.pb_id), limit: Math.max(0, Math.min(100, Number(body.limit) || 0)) })
      .all(rows);
    return e.json(200, { sessions: rows });
  },

  // Sign-ins: sessions begun in [since, until), ended or not (by ix_auth_sessions_created).
  begun_between: (e, body) => {
    const found = R.rows(
      $app,
      ["total"],
      `SELECT count(*) AS total FROM ${SESSIONS} WHERE created >= {:since} AND created < {:until}`,
      { since: R.text(body.since), until: R.text(body.until) }
    );
    return e.json(200, { total: Number(found[0].total) });
  },

  sweep: (e, body) => {
    const removed = changed(
      $app.db(),
      `DELETE FROM ${SESSIONS} WHERE (ended != '' AND ended < {:ended_before}) OR created < {:began_before}`,
      { ended_before: R.text(body.ended_before), began_before: R.text(body.began_before) }
    );
    return e.json(200, { removed });
  },
};

// The claims of an auth token (`Authorization`, bare or Bearer), unverified; null when there is
// none or it is no JWT in force (PocketBase's own checks refuse it anyway).
const claimsOf = (header) => {
  const token = header.length > 7 && header.slice(0, 7).toLowerCase() === "bearer " ? header.slice(7) : header;
  if (!token) return null;
  try {
    return $security.parseUnverifiedJWT(token);
  } catch (_) {
    return null;
  }
};

const sidOf = (claims) => (claims && claims.sid !== undefined && claims.sid !== null ? String(claims.sid) : "");

// Whether session `sid` is `userId`'s, not ended and not past `expires` (a missing table: no).
const isOpen = (app, sid, userId) => {
  const rows = arrayOf(new DynamicModel({ id: "" }));
  try {
    app
      .db()
      .newQuery(
        `SELECT id FROM ${SESSIONS} WHERE id = {:id} AND user = {:user} AND ended = '' AND expires > ${NOW}`
      )
      .bind({ id: sid, user: userId })
      .all(rows);
  } catch (_) {
    return false;
  }
  return rows.length === 1;
};

// The global middleware: a token naming a session is refused unless that session is open and
// its user's. Tokens without `sid`, and tokens PocketBase did not accept (no `e.auth`: a
// guest's request to PocketBase), pass as they would without BAI.
const guard = (e) => {
  const sid = e.auth ? sidOf(claimsOf(e.request.header.get("Authorization"))) : "";
  if (sid && (e.auth.collection().name !== R.USERS || !isOpen($app, sid, e.auth.id))) {
    e.auth = null; // a guest, as PocketBase treats any token it does not accept
  }
  return e.next();
};

// onRecordAuthRefreshRequest: note the session of a refreshable token that names one. (On this
// event PocketBase 0.40.6's JSVM does not reach `e.request`: the header comes by requestInfo.)
const noteRefresh = (e) => {
  const claims = claimsOf(R.text(e.requestInfo().headers.authorization));
  const sid = sidOf(claims);
  if (sid && claims.refreshable === true) e.set(REFRESHED, sid);
  return e.next();
};

// onRecordAuthRequest, after PocketBase's own checks (the collection's authRule among them):
// a refreshed token keeps its session, which is marked renewed, and ends no later than it.
const keepSession = (e) => {
  const sid = R.text(e.get(REFRESHED));
  if (!sid) return e.next();
  const rows = arrayOf(new DynamicModel({ expires: "" }));
  $app
    .db()
    .newQuery(
      `UPDATE ${SESSIONS} SET renewed = ${NOW} WHERE id = {:id} AND user = {:user} AND ended = ''` +
        ` AND expires > ${NOW} RETURNING expires`
    )
    .bind({ id: sid, user: e.record.id })
    .all(rows);
  const now = new DateTime().unix();
  const exp = rows.length
    ? Math.min(now + e.collection.authToken.duration, new DateTime(rows[0].expires).unix())
    : now;
  if (exp <= now) throw new UnauthorizedError("The auth token's session has ended or expired.");
  const claims = { collectionId: e.collection.id, exp, id: e.record.id, refreshable: true, sid, type: "auth" };
  e.token = $security.createJWT(claims, e.record.tokenKey() + e.collection.authToken.secret, exp - now);
  return e.next();
};

module.exports = Object.assign(R.opsOn([SESSIONS], ops), { guard, noteRefresh, keepSession });
