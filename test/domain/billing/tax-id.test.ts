import t from 'tap';
import { isTaxId } from '../../../domain/billing/tax-id.js';

t.test('a unified social credit code is 18 characters whose last checks the first 17', async (t) => {
  for (const id of ['91350100M000100Y43', '911100001000128855', '91110108551385082Q']) t.ok(isTaxId(id), `${id} is valid`);
  t.notOk(isTaxId('91350100M000100Y44'), 'a wrong check character');
  t.notOk(isTaxId('913100007109335928'), 'a typo in the body');
  t.notOk(isTaxId('91350100M000100Y4'), 'too short');
  t.notOk(isTaxId('91350100I000100Y43'), 'I is not in the alphabet');
  t.notOk(isTaxId('91350100m000100y43'), 'lower case (the route upper-cases before checking)');
});
