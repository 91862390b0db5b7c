// The API browser: the contract this server generates from its own operation table.
window.ui = SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#api',
  deepLinking: true,
  withCredentials: true,
  requestInterceptor: (request) => {
    // a signed-in console session's changes need its CSRF token, as in the console
    const csrf = sessionStorage.getItem('keyprov.csrf');
    if (csrf && request.method !== 'GET') request.headers['X-CSRF-Token'] = csrf;
    return request;
  },
});
