/**
 * ICE offers: what a browser reserved on this relay is told to use for
 * WebRTC (the relay's STUN address, and TURN credentials once its
 * reservation is old enough), on the ICE protocol, and the short-lived TURN
 * credentials coturn checks with the shared secret.
 */
export { DEFAULT_ICE_OFFERS_PER_MINUTE, reservationStart, serveIceOffers, type IceOfferConfig, type IceOfferCounters, type IceOfferRate } from './ice-offers.ts'
export { TurnGrants, type TurnGrantRules } from './turn-grants.ts'
