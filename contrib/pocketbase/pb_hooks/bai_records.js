/// <reference path="../pb_data/types.d.ts" />
// What BAI's route (bai.pb.js) and its op modules (bai_identities.js, ...) share: the
// collections, the user's fields, records as BAI reads and writes them, and keyset listings. A
// module, not a hook: PocketBase loads only `*.pb.js` by itself, and each handler `require`s
// this (once per JS VM).

const USERS = "tbl_auth_users";
const COMPANIES = "tbl_company";
const IDENTITIES = "tbl_auth_identities";
const CONFLICTS = "tbl_identity_conflicts";
const TEXT = [
  "openid", "unionid", "users_id", "users_idtype", "users_status", "users_convers_id",
  "users_id_number", "users_type", "users_name", "users_phone", "users_level",
  "users_picture", "company_id", "users_parent_id", "users_promo_code", "usergroups_id",
];
const NUMBERS = ["users_rank_level", "users_auth_type"];
const UNIQUE = ["openid", "users_phone", "users_id", "users_promo_code", "unionid"];
const WITHDRAWN = ["users_phone", "users_name", "users_picture"]; // what a person may withdraw

const text = (value) => (value === undefined || value === null ? "" : String(value));

const find = (app, collection, field, value) => {
  if (!value) return null;
  try {
    return field === "id"
      ? app.findRecordById(collection, value)
      : app.findFirstRecordByData(collection, field, value);
  } catch (_) {
    return null;
  }
};

const findWhere = (app, collection, filter, params) => {
  try {
    return app.findFirstRecordByFilter(collection, filter, params);
  } catch (_) {
    return null;
  }
};

const stamp = (record, name) => {
  const value = record.getDateTime(name);
  return value.isZero() ? "" : value.string();
};

const company = (app, companyId) => {
  const found = find(app, COMPANIES, "company_id", companyId);
  if (!found) return null;
  return {
    id: found.id,
    company_id: found.getString("company_id"),
    company_name: found.getString("company_name"),
    company_status: found.getString("company_status"),
    created: stamp(found, "created"),
    updated: stamp(found, "updated"),
  };
};

const exported = (app, record) => {
  if (!record) return null;
  const user = {
    id: record.id,
    tokenKey: record.tokenKey(),
    created: stamp(record, "created"),
    updated: stamp(record, "updated"),
  };
  TEXT.forEach((name) => (user[name] = record.getString(name)));
  NUMBERS.forEach((name) => (user[name] = record.getFloat(name)));
  user.company = company(app, user.company_id);
  return user;
};

// Which unique value of `record` another record holds ("" when none does).
const taken = (app, record) => {
  for (const name of UNIQUE) {
    const other = find(app, USERS, name, record.getString(name));
    if (other && other.id !== record.id) return name;
  }
  return "";
};

// A new user record from BAI's fields (not saved).
const newUser = (app, body) => {
  const collection = app.findCollectionByNameOrId(USERS);
  const record = new Record(collection);
  record.id = text(body.id);
  // PocketBase requires a password; WeChat users sign in through BAI and have none. They get
  // the hash of a random secret nobody keeps, made once per process (a bcrypt round per
  // registration would cap registrations at a few dozen a second).
  let unusable = $app.store().get("bai.unusable_password");
  if (!unusable) {
    const probe = new Record(collection);
    probe.setPassword($security.randomString(48));
    unusable = probe.getRaw("password");
    $app.store().set("bai.unusable_password", unusable);
  }
  record.setRaw("password", unusable);
  record.setTokenKey(text(body.tokenKey));
  TEXT.forEach((name) => record.set(name, text(body[name])));
  NUMBERS.forEach((name) => record.set(name, Number(body[name] || 0)));
  if (body.created) record.setRaw("created", text(body.created));
  if (body.updated) record.setRaw("updated", text(body.updated));
  return record;
};

// A new record of `collection` with the id and `fields` BAI sent in `body` (not saved).
const newRecord = (app, collection, body, fields) => {
  const record = new Record(app.findCollectionByNameOrId(collection));
  record.id = text(body.id);
  fields.forEach((name) => record.set(name, text(body[name])));
  return record;
};

// The rows `sql` (bound to `params`) reads, each an object of `columns` as stored (text).
const rows = (app, columns, sql, params) => {
  const shape = {};
  columns.forEach((name) => (shape[name] = ""));
  const found = arrayOf(new DynamicModel(shape));
  app.db().newQuery(sql).bind(params).all(found);
  return found;
};

// At most `body.limit` rows of `table` (its `columns`), newest first by `(time, id)`, ties by
// id; only those whose `field` is `body[field]` when that is given; only those before the
// keyset position `(body.before, body.before_id)` when `body.before` is. BAI sends times as
// PocketBase writes them, so they compare as the text they are stored as.
const newestFirst = (table, columns, time, field, body) => {
  const terms = ["1 = 1"];
  if (body[field]) terms.push(`${field} = {:value}`);
  if (body.before) terms.push(`(${time}, id) < ({:before}, {:before_id})`);
  return rows(
    $app,
    columns,
    `SELECT ${columns.join(", ")} FROM ${table} WHERE ${terms.join(" AND ")}` +
      ` ORDER BY ${time} DESC, id DESC LIMIT {:limit}`,
    {
      value: text(body[field]),
      before: text(body.before),
      before_id: text(body.before_id),
      limit: Math.max(0, Math.floor(Number(body.limit) || 0)),
    }
  );
};

// An op module's `has` and `handle`, for the route of bai.pb.js: before the migration that
// makes `collections` has run, each of `ops` answers 503 saying which collection is missing.
const opsOn = (collections, ops) => ({
  has: (name) => Object.prototype.hasOwnProperty.call(ops, name),
  handle: (e, name, body) => {
    for (const collection of collections) {
      try {
        $app.findCollectionByNameOrId(collection);
      } catch (_) {
        return e.json(503, {
          message: `BAI: no ${collection}: run contrib/pocketbase/pb_migrations (migrate up)`,
        });
      }
    }
    return ops[name](e, body);
  },
});

module.exports = {
  USERS, COMPANIES, IDENTITIES, CONFLICTS, TEXT, NUMBERS, UNIQUE, WITHDRAWN,
  text, find, findWhere, stamp, exported, taken, newUser, newRecord, rows, newestFirst,
  opsOn,
};
