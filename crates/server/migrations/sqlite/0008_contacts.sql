-- Omnichannel contacts (7.0's `rocketchat_livechat_contact`): the person behind visitors.
CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX contacts_name ON contacts (name);
