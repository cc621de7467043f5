'use strict';
// Repeatability only: upstream's tests draw names, tags and words from faker, unseeded, so a run can draw the same
// lorem word twice (15-canned-responses' seven responses each take one as their tag, and its `tags` filter test
// then rightly finds two, about one run in thirty). A fixed seed (RC_FAKER_SEED, default 1) makes every run draw
// the same data; the tests themselves are unchanged.
const { faker } = require('@faker-js/faker');
faker.seed(Number(process.env.RC_FAKER_SEED || 1));
