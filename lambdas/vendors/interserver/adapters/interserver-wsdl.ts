/**
 * The InterServer license WSDL (15 operations, rpc/encoded, urn:myapi), bundled so that the Lambda
 * does not read ../shared at run time: esbuild inlines this string into the bundle.
 *
 * Provenance: a verbatim copy of shared/vendors/interserver-licenses.wsdl (sha256 deb9009d657fd1e7d9e95a994fb584d367c721296f479b9a4772711e213d1adf),
 * generated once with a one-off script; test/unit/interserver-wsdl.test.ts fails if the two drift.
 * That file is itself a reconstruction (interserver-soap.md §3): service/port/binding names and
 * soapAction values are UNVERIFIED. The soap:address is the real endpoint; the sandbox rewrites it.
 *
 * The string must start with "<?xml": node-soap only treats its first argument as WSDL text (not a
 * path or URL) when it does (soap lib/wsdl open_wsdl).
 *
 * The file is over 300 lines on purpose: it is one verbatim data string, compared whole with its
 * source file; cut into pieces joined back together it would only be harder to check against it.
 */
export const INTERSERVER_WSDL = `<?xml version="1.0" encoding="ISO-8859-1"?>
<!-- License-related subset of InterServer's SOAP API (urn:myapi, rpc/encoded), reconstructed from the operation, message and type data that InterServer publishes in interserver/interserver-api-samples (SOAP-API/data/api_info/*.json), serialized the way NuSOAP writes a WSDL. Service/port/binding names and soapAction values are UNVERIFIED (see interserver-soap.md). The soap:address is the real endpoint; a sandbox rewrites it to its own URL. -->
<definitions xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" xmlns:tns="urn:myapi" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:myapi">
<types>
<xsd:schema targetNamespace="urn:myapi"
>
 <xsd:import namespace="http://schemas.xmlsoap.org/soap/encoding/" />
 <xsd:import namespace="http://schemas.xmlsoap.org/wsdl/" />
 <xsd:complexType name="array_sql_row_invoices">
  <xsd:complexContent>
   <xsd:restriction base="SOAP-ENC:Array">
    <xsd:attribute ref="SOAP-ENC:arrayType" wsdl:arrayType="tns:sql_row_invoices[]"/>
   </xsd:restriction>
  </xsd:complexContent>
 </xsd:complexType>
 <xsd:complexType name="array_sql_row_licenses">
  <xsd:complexContent>
   <xsd:restriction base="SOAP-ENC:Array">
    <xsd:attribute ref="SOAP-ENC:arrayType" wsdl:arrayType="tns:sql_row_licenses[]"/>
   </xsd:restriction>
  </xsd:complexContent>
 </xsd:complexType>
 <xsd:complexType name="buy_license_return">
  <xsd:all>
   <xsd:element name="status" type="xsd:string"/>
   <xsd:element name="status_text" type="xsd:string"/>
   <xsd:element name="invoice" type="xsd:int"/>
   <xsd:element name="cost" type="xsd:float"/>
  </xsd:all>
 </xsd:complexType>
 <xsd:complexType name="cancel_license_ip_return">
  <xsd:all>
   <xsd:element name="status" type="xsd:string"/>
   <xsd:element name="status_text" type="xsd:string"/>
  </xsd:all>
 </xsd:complexType>
 <xsd:complexType name="cancel_license_return">
  <xsd:all>
   <xsd:element name="status" type="xsd:string"/>
   <xsd:element name="status_text" type="xsd:string"/>
  </xsd:all>
 </xsd:complexType>
 <xsd:complexType name="change_license_ip_by_id_return">
  <xsd:all>
   <xsd:element name="status" type="xsd:string"/>
   <xsd:element name="status_text" type="xsd:string"/>
  </xsd:all>
 </xsd:complexType>
 <xsd:complexType name="change_license_ip_return">
  <xsd:all>
   <xsd:element name="status" type="xsd:string"/>
   <xsd:element name="status_text" type="xsd:string"/>
  </xsd:all>
 </xsd:complexType>
 <xsd:complexType name="license_type">
  <xsd:all>
   <xsd:element name="services_id" type="xsd:int"/>
   <xsd:element name="services_name" type="xsd:string"/>
   <xsd:element name="services_cost" type="xsd:float"/>
  </xsd:all>
 </xsd:complexType>
 <xsd:complexType name="license_types">
  <xsd:complexContent>
   <xsd:restriction base="SOAP-ENC:Array">
    <xsd:attribute ref="SOAP-ENC:arrayType" wsdl:arrayType="tns:license_type[]"/>
   </xsd:restriction>
  </xsd:complexContent>
 </xsd:complexType>
 <xsd:complexType name="make_payment_return">
  <xsd:all>
   <xsd:element name="status" type="xsd:string"/>
   <xsd:element name="status_text" type="xsd:string"/>
  </xsd:all>
 </xsd:complexType>
 <xsd:complexType name="result_status">
  <xsd:all>
   <xsd:element name="status" type="xsd:string"/>
   <xsd:element name="status_text" type="xsd:string"/>
  </xsd:all>
 </xsd:complexType>
 <xsd:complexType name="sql_row_invoices">
  <xsd:all>
   <xsd:element name="invoices_id" type="xsd:int"/>
   <xsd:element name="invoices_description" type="xsd:string"/>
   <xsd:element name="invoices_amount" type="xsd:float"/>
   <xsd:element name="invoices_custid" type="xsd:int"/>
   <xsd:element name="invoices_type" type="xsd:int"/>
   <xsd:element name="invoices_date" type="xsd:string"/>
   <xsd:element name="invoices_group" type="xsd:int"/>
   <xsd:element name="invoices_extra" type="xsd:int"/>
   <xsd:element name="invoices_paid" type="xsd:int"/>
   <xsd:element name="invoices_module" type="xsd:string"/>
   <xsd:element name="invoices_due_date" type="xsd:string"/>
   <xsd:element name="invoices_service" type="xsd:int"/>
   <xsd:element name="invoices_deleted" type="xsd:int"/>
   <xsd:element name="invoices_currency" type="xsd:string"/>
  </xsd:all>
 </xsd:complexType>
 <xsd:complexType name="sql_row_licenses">
  <xsd:all>
   <xsd:element name="license_id" type="xsd:int"/>
   <xsd:element name="license_type" type="xsd:int"/>
   <xsd:element name="license_currency" type="xsd:string"/>
   <xsd:element name="license_order_date" type="xsd:string"/>
   <xsd:element name="license_custid" type="xsd:int"/>
   <xsd:element name="license_ip" type="xsd:string"/>
   <xsd:element name="license_status" type="xsd:string"/>
   <xsd:element name="license_hostname" type="xsd:string"/>
   <xsd:element name="license_key" type="xsd:string"/>
   <xsd:element name="license_invoice" type="xsd:int"/>
   <xsd:element name="license_coupon" type="xsd:int"/>
   <xsd:element name="license_extra" type="xsd:string"/>
  </xsd:all>
 </xsd:complexType>
</xsd:schema>
</types>
<message name="api_loginRequest">
  <part name="username" type="xsd:string" />
  <part name="password" type="xsd:string" /></message>
<message name="api_loginResponse">
  <part name="return" type="xsd:string" /></message>
<message name="api_get_license_typesRequest"></message>
<message name="api_get_license_typesResponse">
  <part name="return" type="tns:license_types" /></message>
<message name="api_buy_licenseRequest">
  <part name="sid" type="xsd:string" />
  <part name="ip" type="xsd:string" />
  <part name="type" type="xsd:int" />
  <part name="coupon" type="xsd:string" /></message>
<message name="api_buy_licenseResponse">
  <part name="return" type="tns:buy_license_return" /></message>
<message name="api_buy_license_prepayRequest">
  <part name="sid" type="xsd:string" />
  <part name="ip" type="xsd:string" />
  <part name="type" type="xsd:int" />
  <part name="coupon" type="xsd:string" />
  <part name="use_prepay" type="xsd:boolean" /></message>
<message name="api_buy_license_prepayResponse">
  <part name="return" type="tns:buy_license_return" /></message>
<message name="api_cancel_licenseRequest">
  <part name="sid" type="xsd:string" />
  <part name="id" type="xsd:int" /></message>
<message name="api_cancel_licenseResponse">
  <part name="return" type="tns:cancel_license_return" /></message>
<message name="api_cancel_license_ipRequest">
  <part name="sid" type="xsd:string" />
  <part name="ip" type="xsd:string" />
  <part name="type" type="xsd:int" /></message>
<message name="api_cancel_license_ipResponse">
  <part name="return" type="tns:cancel_license_ip_return" /></message>
<message name="api_change_license_ipRequest">
  <part name="sid" type="xsd:string" />
  <part name="oldip" type="xsd:string" />
  <part name="newip" type="xsd:string" /></message>
<message name="api_change_license_ipResponse">
  <part name="return" type="tns:change_license_ip_return" /></message>
<message name="api_change_license_ip_by_idRequest">
  <part name="sid" type="xsd:string" />
  <part name="id" type="xsd:int" />
  <part name="newip" type="xsd:string" /></message>
<message name="api_change_license_ip_by_idResponse">
  <part name="return" type="tns:change_license_ip_by_id_return" /></message>
<message name="api_licenses_get_serviceRequest">
  <part name="sid" type="xsd:string" />
  <part name="id" type="xsd:int" /></message>
<message name="api_licenses_get_serviceResponse">
  <part name="return" type="tns:sql_row_licenses" /></message>
<message name="api_licenses_get_servicesRequest">
  <part name="sid" type="xsd:string" /></message>
<message name="api_licenses_get_servicesResponse">
  <part name="return" type="tns:array_sql_row_licenses" /></message>
<message name="api_licenses_cancel_serviceRequest">
  <part name="sid" type="xsd:string" />
  <part name="id" type="xsd:int" /></message>
<message name="api_licenses_cancel_serviceResponse">
  <part name="return" type="xsd:boolean" /></message>
<message name="api_licenses_get_client_invoicesRequest">
  <part name="sid" type="xsd:string" /></message>
<message name="api_licenses_get_client_invoicesResponse">
  <part name="return" type="tns:array_sql_row_invoices" /></message>
<message name="api_licenses_get_client_unpaid_invoicesRequest">
  <part name="sid" type="xsd:string" /></message>
<message name="api_licenses_get_client_unpaid_invoicesResponse">
  <part name="return" type="tns:array_sql_row_invoices" /></message>
<message name="api_make_paymentRequest">
  <part name="sid" type="xsd:string" />
  <part name="module" type="xsd:string" />
  <part name="invoice" type="xsd:int" /></message>
<message name="api_make_paymentResponse">
  <part name="return" type="tns:make_payment_return" /></message>
<message name="api_get_prepay_remainingRequest">
  <part name="sid" type="xsd:string" />
  <part name="module" type="xsd:string" /></message>
<message name="api_get_prepay_remainingResponse">
  <part name="return" type="tns:result_status" /></message>
<portType name="myapiPortType">
  <operation name="api_login">
    <documentation>This function creates a session in our system which you will need to pass to most functions for authentication.</documentation>
    <input message="tns:api_loginRequest"/>
    <output message="tns:api_loginResponse"/>
  </operation>
  <operation name="api_get_license_types">
    <documentation>Get a license of the various license types.</documentation>
    <input message="tns:api_get_license_typesRequest"/>
    <output message="tns:api_get_license_typesResponse"/>
  </operation>
  <operation name="api_buy_license">
    <documentation>Purchase a License.  Returns an invoice ID.</documentation>
    <input message="tns:api_buy_licenseRequest"/>
    <output message="tns:api_buy_licenseResponse"/>
  </operation>
  <operation name="api_buy_license_prepay">
    <documentation>Purchase a License and optionally uses PrePay.  Will return an error if use_prepay is true not enough PrePay funds are available.</documentation>
    <input message="tns:api_buy_license_prepayRequest"/>
    <output message="tns:api_buy_license_prepayResponse"/>
  </operation>
  <operation name="api_cancel_license">
    <documentation>Cancel a License.</documentation>
    <input message="tns:api_cancel_licenseRequest"/>
    <output message="tns:api_cancel_licenseResponse"/>
  </operation>
  <operation name="api_cancel_license_ip">
    <documentation>Cancel a License by IP and Type.</documentation>
    <input message="tns:api_cancel_license_ipRequest"/>
    <output message="tns:api_cancel_license_ipResponse"/>
  </operation>
  <operation name="api_change_license_ip">
    <documentation>Change the IP on an active license.</documentation>
    <input message="tns:api_change_license_ipRequest"/>
    <output message="tns:api_change_license_ipResponse"/>
  </operation>
  <operation name="api_change_license_ip_by_id">
    <documentation>Change the IP on an active license.</documentation>
    <input message="tns:api_change_license_ip_by_idRequest"/>
    <output message="tns:api_change_license_ip_by_idResponse"/>
  </operation>
  <operation name="api_licenses_get_service">
    <documentation>This Function Applies to the Licensing services.
Gets service info for the given ID in the given Module.   An example of this would be in the &quot;vps&quot; module have order id</documentation>
    <input message="tns:api_licenses_get_serviceRequest"/>
    <output message="tns:api_licenses_get_serviceResponse"/>
  </operation>
  <operation name="api_licenses_get_services">
    <documentation>This Function Applies to the Licensing services.
Gets List of Services</documentation>
    <input message="tns:api_licenses_get_servicesRequest"/>
    <output message="tns:api_licenses_get_servicesResponse"/>
  </operation>
  <operation name="api_licenses_cancel_service">
    <documentation>This Function Applies to the Licensing services.
Cancels a service for the passed module matching the passed id.  Canceling a service will also cancel any addons for that service at the same time.</documentation>
    <input message="tns:api_licenses_cancel_serviceRequest"/>
    <output message="tns:api_licenses_cancel_serviceResponse"/>
  </operation>
  <operation name="api_licenses_get_client_invoices">
    <documentation>This Function Applies to the Licensing services.
Gets a list of all the invoices.</documentation>
    <input message="tns:api_licenses_get_client_invoicesRequest"/>
    <output message="tns:api_licenses_get_client_invoicesResponse"/>
  </operation>
  <operation name="api_licenses_get_client_unpaid_invoices">
    <documentation>This Function Applies to the Licensing services.
This function returns a list of all the unpaid invoices matching the module passed..</documentation>
    <input message="tns:api_licenses_get_client_unpaid_invoicesRequest"/>
    <output message="tns:api_licenses_get_client_unpaid_invoicesResponse"/>
  </operation>
  <operation name="api_make_payment">
    <documentation>Makes a payment for an invoice on a module.</documentation>
    <input message="tns:api_make_paymentRequest"/>
    <output message="tns:api_make_paymentResponse"/>
  </operation>
  <operation name="api_get_prepay_remaining">
    <documentation>Get the PrePay amount available for a given module.</documentation>
    <input message="tns:api_get_prepay_remainingRequest"/>
    <output message="tns:api_get_prepay_remainingResponse"/>
  </operation>
</portType>
<binding name="myapiBinding" type="tns:myapiPortType">
  <soap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>
  <operation name="api_login">
    <soap:operation soapAction="urn:myapi#api_login" style="rpc"/>
    <input><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input>
    <output><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output>
  </operation>
  <operation name="api_get_license_types">
    <soap:operation soapAction="urn:myapi#api_get_license_types" style="rpc"/>
    <input><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input>
    <output><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output>
  </operation>
  <operation name="api_buy_license">
    <soap:operation soapAction="urn:myapi#api_buy_license" style="rpc"/>
    <input><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input>
    <output><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output>
  </operation>
  <operation name="api_buy_license_prepay">
    <soap:operation soapAction="urn:myapi#api_buy_license_prepay" style="rpc"/>
    <input><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input>
    <output><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output>
  </operation>
  <operation name="api_cancel_license">
    <soap:operation soapAction="urn:myapi#api_cancel_license" style="rpc"/>
    <input><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input>
    <output><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output>
  </operation>
  <operation name="api_cancel_license_ip">
    <soap:operation soapAction="urn:myapi#api_cancel_license_ip" style="rpc"/>
    <input><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input>
    <output><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output>
  </operation>
  <operation name="api_change_license_ip">
    <soap:operation soapAction="urn:myapi#api_change_license_ip" style="rpc"/>
    <input><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input>
    <output><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output>
  </operation>
  <operation name="api_change_license_ip_by_id">
    <soap:operation soapAction="urn:myapi#api_change_license_ip_by_id" style="rpc"/>
    <input><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input>
    <output><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output>
  </operation>
  <operation name="api_licenses_get_service">
    <soap:operation soapAction="urn:myapi#api_licenses_get_service" style="rpc"/>
    <input><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input>
    <output><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output>
  </operation>
  <operation name="api_licenses_get_services">
    <soap:operation soapAction="urn:myapi#api_licenses_get_services" style="rpc"/>
    <input><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input>
    <output><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output>
  </operation>
  <operation name="api_licenses_cancel_service">
    <soap:operation soapAction="urn:myapi#api_licenses_cancel_service" style="rpc"/>
    <input><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input>
    <output><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output>
  </operation>
  <operation name="api_licenses_get_client_invoices">
    <soap:operation soapAction="urn:myapi#api_licenses_get_client_invoices" style="rpc"/>
    <input><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input>
    <output><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output>
  </operation>
  <operation name="api_licenses_get_client_unpaid_invoices">
    <soap:operation soapAction="urn:myapi#api_licenses_get_client_unpaid_invoices" style="rpc"/>
    <input><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input>
    <output><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output>
  </operation>
  <operation name="api_make_payment">
    <soap:operation soapAction="urn:myapi#api_make_payment" style="rpc"/>
    <input><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input>
    <output><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output>
  </operation>
  <operation name="api_get_prepay_remaining">
    <soap:operation soapAction="urn:myapi#api_get_prepay_remaining" style="rpc"/>
    <input><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input>
    <output><soap:body use="encoded" namespace="urn:myapi" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output>
  </operation>
</binding>
<service name="myapi">
  <port name="myapiPort" binding="tns:myapiBinding">
    <soap:address location="https://my.interserver.net/api.php"/>
  </port>
</service>
</definitions>`;
