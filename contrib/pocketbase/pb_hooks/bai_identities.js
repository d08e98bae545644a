/// <reference path="../pb_data/types.d.ts" />
// BAI's identity ops (SPEC "Several mini-programs, one user"), one per method of BAI's
// `IdentityStore` port, for the route of bai.pb.js. A module, `require`d by that route.
//
// `tbl_auth_identities` holds one record per (app, openid), its `user` a relation that
// PocketBase deletes with the user; `tbl_identity_conflicts` the conflicts an operator settles,
// each with the id BAI derives from it. Each write runs in one PocketBase transaction, and
// PocketBase writes one transaction at a time, so what a transaction reads before it writes is
// still true when it writes: a unique value another record holds is answered 409, `taken`
// naming it (identity, unionid, users_phone, or the other field). A user's own openid and
// unionid change in place (UPDATE), leaving `updated` as BAI last set it, as on BAI's stores.

const R = require(`${__hooks}/bai_records.js`);
const OPEN = "open";

// What `work(tx)` returns, done in one transaction (which a callback's return would abort).
const inTransaction = (work) => {
  let result = null;
  $app.runInTransaction((tx) => {
    result = work(tx);
  });
  return result;
};

const answer = (e, result) =>
  result && result.taken ? e.json(409, { taken: result.taken }) : e.json(200, result);

const identityOf = (record) => ({
  appid: record.getString("appid"),
  openid: record.getString("openid"),
  user: record.getString("user"),
  unionid: record.getString("unionid"),
  created: R.stamp(record, "created"),
});

const held = (app, body) =>
  R.findWhere(app, R.IDENTITIES, "appid = {:appid} && openid = {:openid}", {
    appid: R.text(body.appid),
    openid: R.text(body.openid),
  });

const newIdentity = (tx, userId, body) => {
  const record = new Record(tx.findCollectionByNameOrId(R.IDENTITIES));
  record.set("appid", R.text(body.appid));
  record.set("openid", R.text(body.openid));
  record.set("user", userId);
  record.set("unionid", R.text(body.unionid));
  if (body.created) record.setRaw("created", R.text(body.created));
  return record;
};

const setUserId = (tx, userId, field, value) =>
  tx
    .db()
    .newQuery(`UPDATE ${R.USERS} SET ${field} = {:value} WHERE id = {:id}`)
    .bind({ value, id: userId })
    .execute();

const CONFLICT_FIELDS = ["kind", "appid", "openid", "unionid", "pb_id", "other_pb_id", "state"];

const conflictOf = (record) => {
  const conflict = { id: record.id, created: R.stamp(record, "created") };
  CONFLICT_FIELDS.forEach(
    (name) => (conflict[name] = record.getString(name))
  );
  return conflict;
};

const ops = {
  find: (e, body) => {
    const identity = held($app, body);
    const user = identity && R.find($app, R.USERS, "id", identity.getString("user"));
    if (!user) return answer(e, { identity: null, user: null });
    return answer(e, { identity: identityOf(identity), user: R.exported($app, user) });
  },

  user_with_unionid: (e, body) =>
    answer(e, { user: R.exported($app, R.find($app, R.USERS, "unionid", R.text(body.unionid))) }),

  register: (e, body) =>
    answer(e, inTransaction((tx) => {
      const identity = body.identity || {};
      if (held(tx, identity)) return { taken: "identity" };
      if (R.find(tx, R.USERS, "id", R.text(body.id))) return { taken: "id" };
      const user = R.newUser(tx, body);
      const field = R.taken(tx, user);
      if (field) return { taken: field === "openid" ? "identity" : field };
      tx.save(user);
      tx.save(newIdentity(tx, user.id, identity));
      return { user: R.exported(tx, user) };
    })),

  link: (e, body) =>
    answer(e, inTransaction((tx) => {
      const user = R.find(tx, R.USERS, "id", R.text(body.pb_id));
      if (!user) return { user: null };
      const params = { user: user.id, appid: R.text(body.appid) };
      if (held(tx, body) || R.findWhere(tx, R.IDENTITIES, "user = {:user} && appid = {:appid}", params)) {
        return { taken: "identity" };
      }
      const openid = R.text(body.openid);
      if (body.primary) {
        const holder = R.find(tx, R.USERS, "openid", openid);
        const own = user.getString("openid");
        if ((holder && holder.id !== user.id) || (own && own !== openid)) return { taken: "identity" };
        if (own !== openid) setUserId(tx, user.id, "openid", openid);
      }
      tx.save(newIdentity(tx, user.id, body));
      return { user: R.exported(tx, R.find(tx, R.USERS, "id", user.id)) };
    })),

  note_unionid: (e, body) =>
    answer(e, inTransaction((tx) => {
      const identity = held(tx, body);
      if (!identity) return {};
      const unionid = R.text(body.unionid);
      const userId = identity.getString("user");
      if (body.for_user) {
        const holder = R.find(tx, R.USERS, "unionid", unionid);
        if (holder && holder.id !== userId) return { taken: "unionid" };
        const user = R.find(tx, R.USERS, "id", userId);
        if (user && !user.getString("unionid")) setUserId(tx, userId, "unionid", unionid);
      }
      identity.set("unionid", unionid);
      tx.save(identity);
      return {};
    })),

  unlink: (e, body) =>
    answer(e, inTransaction((tx) => {
      const identity = held(tx, body);
      if (!identity) return { identity: null };
      tx.delete(identity);
      if (body.primary) {
        tx.db()
          .newQuery(`UPDATE ${R.USERS} SET openid = '' WHERE id = {:id} AND openid = {:openid}`)
          .bind({ id: identity.getString("user"), openid: identity.getString("openid") })
          .execute();
      }
      return { identity: identityOf(identity) };
    })),

  identities_of: (e, body) => {
    const user = R.find($app, R.USERS, "id", R.text(body.pb_id));
    if (!user) return answer(e, { identities: [] });
    const records = $app.findRecordsByFilter(R.IDENTITIES, "user = {:user}", "appid", 0, 0, { user: user.id });
    return answer(e, { identities: records.map(identityOf) });
  },

  add_conflict: (e, body) =>
    answer(e, inTransaction((tx) => {
      if (R.find(tx, R.CONFLICTS, "id", R.text(body.id))) return {};
      const record = new Record(tx.findCollectionByNameOrId(R.CONFLICTS));
      record.id = R.text(body.id);
      CONFLICT_FIELDS.forEach((name) => record.set(name, R.text(body[name])));
      if (body.created) record.setRaw("created", R.text(body.created));
      tx.save(record);
      return {};
    })),

  conflicts: (e, body) => {
    const filter = body.state ? "state = {:state}" : "id != ''";
    const params = { state: R.text(body.state) };
    const records = $app.findRecordsByFilter(R.CONFLICTS, filter, "created,id", Number(body.limit), 0, params);
    return answer(e, { conflicts: records.map(conflictOf) });
  },

  conflict: (e, body) => {
    const record = R.find($app, R.CONFLICTS, "id", R.text(body.id));
    return answer(e, { conflicts: record ? [conflictOf(record)] : [] });
  },

  settle_conflict: (e, body) =>
    answer(e, inTransaction((tx) => {
      const record = R.find(tx, R.CONFLICTS, "id", R.text(body.id));
      if (!record || record.getString("state") !== OPEN) return { settled: false };
      record.set("state", R.text(body.state));
      tx.save(record);
      return { settled: true };
    })),

  settle_conflicts_of: (e, body) =>
    answer(e, inTransaction((tx) => {
      const filter = "appid = {:appid} && openid = {:openid} && state = {:open}";
      const params = { appid: R.text(body.appid), openid: R.text(body.openid), open: OPEN };
      const open = tx.findRecordsByFilter(R.CONFLICTS, filter, "", 0, 0, params);
      open.forEach((record) => {
        record.set("state", R.text(body.state));
        tx.save(record);
      });
      return { settled: open.length };
    })),
};

module.exports = R.opsOn([R.IDENTITIES, R.CONFLICTS], ops);
