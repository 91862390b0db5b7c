package org.keyprov.web.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An error answer, RFC 7807 {@code application/problem+json}: {@code type} names the kind ({@code
 * urn:keyprov:problem:invalid}, …), {@code detail} says what was wrong and what to do; {@code code}
 * is the kind's short name and {@code field} the request field at fault, when there is one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Problem(String type, String title, int status, String detail, String code, String field) {}
