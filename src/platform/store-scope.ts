import type { FastifyRequest } from 'fastify';
import { platformError } from './errors.ts';
import { principalOf } from './http.ts';

/** Who runs a store: a coalition partner (and whether it is active), or null for the operator's own stores. */
export type StoreOwner = { partnerId: string; active: boolean } | null;

/**
 * Where a key may act. A `partner` key acts only at its own partner's stores: checkout,
 * cancel and refunds at any other store (another partner's, the operator's, an unknown one)
 * are refused with 403 auth.store_out_of_scope before anything is read or written. Every other
 * role acts anywhere its permissions allow, so for them the check costs nothing.
 *
 * The platform names no module: the module that knows who owns a store (partners) gives the
 * lookup with `ownersFrom`, and buildApp wires it, as the checkout extensions are wired. Until
 * then every store is the operator's, so a partner key acts nowhere.
 */
export function createStoreScope() {
  let lookup: (storeId: string) => Promise<StoreOwner> = async () => null;
  return {
    ownersFrom(owners: (storeId: string) => Promise<StoreOwner>): void {
      lookup = owners;
    },

    /**
     * Refuses a partner key at a store that is not its partner's. `store` is the store id, or a
     * function that finds it (a refund names a receipt: its store is read only for a partner
     * key); a function that finds no store (no such receipt) lets the route answer its own 404.
     */
    async check(request: FastifyRequest, store: string | (() => Promise<string | null>)): Promise<void> {
      const principal = principalOf(request);
      if (principal.role !== 'partner') return;
      const storeId = typeof store === 'string' ? store : await store();
      if (storeId === null) return;
      const owner = await lookup(storeId);
      if (!principal.partnerId || owner?.partnerId !== principal.partnerId) {
        throw platformError(
          'auth.store_out_of_scope',
          principal.partnerId
            ? `Store ${storeId} is not a store of partner ${principal.partnerId}: a partner key acts only at its partner's own stores`
            : `This partner key is bound to no partner, so it acts at no store; create one with POST /v1/partners/{id}/api-keys`,
        );
      }
      if (!owner.active) throw platformError('auth.partner_suspended', `Partner ${owner.partnerId} is suspended: its keys cannot check out until it is active again`);
    },
  };
}

export type StoreScope = ReturnType<typeof createStoreScope>;
