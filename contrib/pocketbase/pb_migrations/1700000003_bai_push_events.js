/// <reference path="../pb_data/types.d.ts" />
// WeChat's push events (SPEC "WeChat's push events"): one record per event received,
// `tbl_wechat_push_events`, whose id is the event's keyed hash (64 hex characters), so a
// delivery WeChat repeats finds it. `pb_id` is the user concerned, as text and not a relation:
// the record outlives the user, to show what was deleted and when. Superusers only (no API
// rule). A PocketBase that ran 1700000002 gets it at its next `migrate up`.
migrate((app) => {
  const text = (name) => ({ name, type: "text", max: 0 });
  const date = (name) => ({ name, type: "date" });

  const events = new Collection({
    type: "base",
    name: "tbl_wechat_push_events",
    fields: [
      {
        name: "id",
        type: "text",
        primaryKey: true,
        system: true,
        required: true,
        min: 64,
        max: 64,
        pattern: "^[0-9a-f]+$",
        autogeneratePattern: "",
      },
      text("appid"),
      text("event"),
      date("sent"),
      date("received"),
      text("outcome"),
      text("fields"),
      text("revoke_info"),
      text("pb_id"),
      text("openid_hash"),
    ],
    indexes: [
      "CREATE INDEX ix_wechat_push_events_received_id ON tbl_wechat_push_events (received, id)",
      "CREATE INDEX ix_wechat_push_events_pb_id ON tbl_wechat_push_events (pb_id, received, id)",
    ],
  });
  app.save(events);
}, (app) => {
  app.delete(app.findCollectionByNameOrId("tbl_wechat_push_events"));
});
