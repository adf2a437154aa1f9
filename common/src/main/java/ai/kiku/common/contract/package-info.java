/**
 * The internal (service-to-service) API's one declaration: paths ({@link ai.kiku.common.contract.InternalApi}),
 * request and answer records, problem types and the API-key format. billing-service and webhook-service serve
 * these records, their clients and the tests' stand-ins are written against them. Depends on nothing in common
 * but {@link ai.kiku.common.money.Micros}, so it can move into a module of its own unchanged.
 */
package ai.kiku.common.contract;
