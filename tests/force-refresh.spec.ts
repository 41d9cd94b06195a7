import { check } from '../fixtures/harness/test';
import { expectStatus, expectThat } from '../fixtures/harness/checks';
import { expectAccessExpiry, expectDistinctTokens, expectExpiryClaims, expectJwtTypes, expectOwnerClaims, expectRefreshExpiry } from '../fixtures/harness/tokens';

check.describe('force-refresh', () => {
  check('force-refresh answers 200 with a token pair and both expiries', { tag: ['@spec', '@forceRefresh'] }, async ({ given, api }) => {
    const { user } = await given.worker.aUser(); // a refresh changes only its tokens
    const keys = await api.forceRefresh(user.id);
    expectStatus(keys, 200, 'force-refreshing');
    const missing = ['accessToken', 'refreshToken', 'accessTokenExpiresAt', 'refreshTokenExpiresAt'].filter((k) => !(k in keys.data));
    expectThat(keys, missing.length === 0, `force-refresh data lacks ${missing.join(', ')}`);
  });

  check('new tokens differ from every earlier pair', { tag: ['@inferred', '@forceRefresh'] }, async ({ given, api }) => {
    const created = await given.worker.aUser(); // a refresh changes only its tokens
    const first = await api.forceRefresh(created.user.id);
    const second = await api.forceRefresh(created.user.id);
    expectStatus(first, 200, 'first force-refresh');
    expectStatus(second, 200, 'second force-refresh');
    const earlier = [created.accessToken, created.refreshToken, first.data.accessToken, first.data.refreshToken];
    expectThat(first, ![first.data.accessToken, first.data.refreshToken].some((t) => t === created.accessToken || t === created.refreshToken), 'force-refresh returned a token issued at creation');
    expectThat(second, ![second.data.accessToken, second.data.refreshToken].some((t) => earlier.includes(t)), 'a second force-refresh returned a token issued before');
  });

  check('refreshed tokens are JWTs for this client and user with matching expiries', { tag: ['@upstream', '@forceRefresh'] }, async ({ given, api }) => {
    const { user } = await given.worker.aUser(); // a refresh changes only its tokens
    const keys = await api.forceRefresh(user.id);
    expectStatus(keys, 200, 'force-refreshing');
    expectJwtTypes(keys, keys.data);
    expectOwnerClaims(keys, keys.data, api.clientId, user.id);
    expectExpiryClaims(keys, keys.data);
    expectDistinctTokens(keys, keys.data);
  });

  check('refreshed expiries are epoch ms: about 60 minutes and one year ahead', { tag: ['@inferred', '@forceRefresh'] }, async ({ given, api }) => {
    const { user } = await given.worker.aUser(); // a refresh changes only its tokens
    const keys = await api.forceRefresh(user.id);
    expectStatus(keys, 200, 'force-refreshing');
    expectAccessExpiry(keys, keys.data);
    expectRefreshExpiry(keys, keys.data);
  });
});
