// Drives the official @upstash/redis client against a REST endpoint and prints what it got.
//   node upstash-client.js URL TOKEN READ_ONLY_TOKEN
'use strict';
const { Redis } = require('@upstash/redis');

const [url, token, readOnlyToken] = process.argv.slice(2);

(async () => {
  const redis = new Redis({ url, token, retry: false, automaticDeserialization: false });
  const out = {};
  out.set = await redis.set('greeting', 'héllo wörld');
  out.get = await redis.get('greeting');
  out.incr = await redis.incr('counter');
  out.lpush = await redis.lpush('list', 'a', 'b', 'c');
  out.lrange = await redis.lrange('list', 0, -1);
  out.hset = await redis.hset('hash', { field: 'value', n: '1' });
  out.hgetall = await redis.hgetall('hash');
  out.zadd = await redis.zadd('zset', { score: 1, member: 'one' }, { score: 2, member: 'two' });
  out.zcard = await redis.zcard('zset');
  out.missing = await redis.get('nope');
  out.json = await redis.set('json', '{"a":[1,2]}') && await redis.get('json');
  const p = redis.pipeline();
  p.set('p1', 'v1');
  p.get('p1');
  p.llen('list');
  p.get('nope');
  out.pipeline = await p.exec();
  const m = redis.multi();
  m.incr('counter');
  m.incr('counter');
  m.get('counter');
  out.multi = await m.exec();
  try {
    await redis.lpush('greeting', 'x');
    out.wrongtype = 'no error';
  } catch (e) {
    out.wrongtype = `${e.name}: ${e.message}`;
  }
  try {
    await new Redis({ url, token: 'wrong', retry: false }).get('greeting');
    out.badtoken = 'no error';
  } catch (e) {
    out.badtoken = `${e.name}: ${e.message}`;
  }
  const ro = new Redis({ url, token: readOnlyToken, retry: false, automaticDeserialization: false });
  out.readonly_get = await ro.get('greeting');
  try {
    await ro.set('greeting', 'changed');
    out.readonly_set = 'no error';
  } catch (e) {
    out.readonly_set = `${e.name}: ${e.message}`;
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
})().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
