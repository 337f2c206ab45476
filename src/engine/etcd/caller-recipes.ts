// Lock and Election for one network caller, as etcd 3.4 serves them: its v3lock and v3election
// servers run the concurrency recipes through a client of the server itself that carries the
// caller's context, so each key operation of a recipe is checked like the caller's own request
// (Lock needs read and write on the lock's prefix, Unlock write on the key, Campaign, Proclaim
// and Resign read and write, Leader and Observe read). What those servers return has been
// through that client, so every error reaches the caller as gRPC's Unknown with etcd's words
// (`etcdserver: permission denied`, `etcdserver: user name is empty`); an Observe whose reads
// fail just ends, as etcd's observer stops on its first error.
import {EtcdError, GrpcCode} from '../../api/errors.js'
import type {LeaderRequest, LeaderResponse} from '../../api/proto/v3election.js'
import type {Req} from '../../client/etcd/client.js'
import type {ConcurrencyClient} from '../../client/etcd/concurrency/index.js'
import {abortable, RecipeService} from './recipes.js'

type RecipeMethods = Pick<RecipeService, 'lock' | 'unlock' | 'campaign' | 'proclaim' | 'resign' | 'leader'> & {
  observe(req: Req<LeaderRequest>): AsyncIterable<LeaderResponse>
}

/** An error as it comes out of etcd's in-process client: Unknown, the message unchanged. */
function throughClient(error: unknown): never {
  if (error instanceof EtcdError && error.code !== GrpcCode.UNKNOWN) throw new EtcdError(GrpcCode.UNKNOWN, error.message)
  throw error
}

/** The recipe methods for `client`, a caller's view of the engine (every key operation checked). */
export function callerRecipes(client: ConcurrencyClient): RecipeMethods {
  const recipes = new RecipeService(client)
  return {
    lock: (req, signal) => recipes.lock(req, signal).catch(throughClient),
    unlock: (req) => recipes.unlock(req).catch(throughClient),
    campaign: (req, signal) => recipes.campaign(req, signal).catch(throughClient),
    proclaim: (req) => recipes.proclaim(req).catch(throughClient),
    resign: (req) => recipes.resign(req).catch(throughClient),
    leader: (req) => recipes.leader(req).catch(throughClient),
    observe: (req) =>
      abortable(async function* (signal) {
        try {
          yield* recipes.observe(req, signal)
        } catch (error) {
          if (!(error instanceof EtcdError)) throw error
        }
      }),
  }
}
