/// <reference path="../pb_data/types.d.ts" />
// BAI's record of WeChat's push events (SPEC "WeChat's push events"): one op per method of
// BAI's `PushEventStore` port, for the route of bai.pb.js. A module, `require`d by that route.
//
// `tbl_wechat_push_events` (pb_migrations/1700000003_bai_push_events.js) holds one record per
// event, its id the event's keyed hash; `pb_id` is text, not a relation: the record outlives
// the user it names. Times are kept as PocketBase writes them, `2006-01-02 15:04:05.000Z`,
// which sort as they read: BAI sends its own in that form. An add reads and saves in one
// transaction, and PocketBase writes one transaction at a time, so of concurrent adds of one
// id one saves.

const R = require(`${__hooks}/bai_records.js`);
const EVENTS = "tbl_wechat_push_events";
const FIELDS = ["appid", "event", "sent", "received", "outcome", "fields", "revoke_info", "pb_id", "openid_hash"];
const COLUMNS = ["id", ...FIELDS];

const ops = {
  push_seen: (e, body) => e.json(200, { seen: !!R.find($app, EVENTS, "id", R.text(body.id)) }),

  push_add: (e, body) => {
    let added = false;
    $app.runInTransaction((tx) => {
      if (R.find(tx, EVENTS, "id", R.text(body.id))) return;
      tx.save(R.newRecord(tx, EVENTS, body, FIELDS));
      added = true;
    });
    return e.json(200, { added });
  },

  push_forget: (e, body) => {
    $app
      .db()
      .newQuery(`DELETE FROM ${EVENTS} WHERE id = {:id}`)
      .bind({ id: R.text(body.id) })
      .execute();
    return e.json(200, {});
  },

  // Newest received first, ties by id; a user's alone with `pb_id`; those before the keyset
  // position `(before, before_id)` with `before`.
  push_recent: (e, body) => e.json(200, { events: R.newestFirst(EVENTS, COLUMNS, "received", "pb_id", body) }),

  push_sweep: (e, body) => {
    const removed = $app
      .db()
      .newQuery(`DELETE FROM ${EVENTS} WHERE received < {:before}`)
      .bind({ before: R.text(body.received_before) })
      .execute()
      .rowsAffected();
    return e.json(200, { removed });
  },
};

module.exports = R.opsOn([EVENTS], ops);
