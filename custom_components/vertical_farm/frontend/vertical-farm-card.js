var Ce=Object.defineProperty;var Pe=Object.getOwnPropertyDescriptor;var _=(i,t,e,s)=>{for(var r=s>1?void 0:s?Pe(t,e):t,o=i.length-1,n;o>=0;o--)(n=i[o])&&(r=(s?n(t,e,r):n(r))||r);return s&&r&&Ce(t,e,r),r};var j=globalThis,z=j.ShadowRoot&&(j.ShadyCSS===void 0||j.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,Y=Symbol(),le=new WeakMap,R=class{constructor(t,e,s){if(this._$cssResult$=!0,s!==Y)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=t,this.t=e}get styleSheet(){let t=this.o,e=this.t;if(z&&t===void 0){let s=e!==void 0&&e.length===1;s&&(t=le.get(e)),t===void 0&&((this.o=t=new CSSStyleSheet).replaceSync(this.cssText),s&&le.set(e,t))}return t}toString(){return this.cssText}},ce=i=>new R(typeof i=="string"?i:i+"",void 0,Y),K=(i,...t)=>{let e=i.length===1?i[0]:t.reduce((s,r,o)=>s+(n=>{if(n._$cssResult$===!0)return n.cssText;if(typeof n=="number")return n;throw Error("Value passed to 'css' function must be a 'css' function result: "+n+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(r)+i[o+1],i[0]);return new R(e,i,Y)},he=(i,t)=>{if(z)i.adoptedStyleSheets=t.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let e of t){let s=document.createElement("style"),r=j.litNonce;r!==void 0&&s.setAttribute("nonce",r),s.textContent=e.cssText,i.appendChild(s)}},V=z?i=>i:i=>i instanceof CSSStyleSheet?(t=>{let e="";for(let s of t.cssRules)e+=s.cssText;return ce(e)})(i):i;var{is:Re,defineProperty:Oe,getOwnPropertyDescriptor:Me,getOwnPropertyNames:Te,getOwnPropertySymbols:He,getPrototypeOf:Ue}=Object,q=globalThis,de=q.trustedTypes,De=de?de.emptyScript:"",Ne=q.reactiveElementPolyfillSupport,O=(i,t)=>i,M={toAttribute(i,t){switch(t){case Boolean:i=i?De:null;break;case Object:case Array:i=i==null?i:JSON.stringify(i)}return i},fromAttribute(i,t){let e=i;switch(t){case Boolean:e=i!==null;break;case Number:e=i===null?null:Number(i);break;case Object:case Array:try{e=JSON.parse(i)}catch{e=null}}return e}},I=(i,t)=>!Re(i,t),pe={attribute:!0,type:String,converter:M,reflect:!1,useDefault:!1,hasChanged:I};Symbol.metadata??=Symbol("metadata"),q.litPropertyMetadata??=new WeakMap;var $=class extends HTMLElement{static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(t,e=pe){if(e.state&&(e.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(t)&&((e=Object.create(e)).wrapped=!0),this.elementProperties.set(t,e),!e.noAccessor){let s=Symbol(),r=this.getPropertyDescriptor(t,s,e);r!==void 0&&Oe(this.prototype,t,r)}}static getPropertyDescriptor(t,e,s){let{get:r,set:o}=Me(this.prototype,t)??{get(){return this[e]},set(n){this[e]=n}};return{get:r,set(n){let l=r?.call(this);o?.call(this,n),this.requestUpdate(t,l,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(t){return this.elementProperties.get(t)??pe}static _$Ei(){if(this.hasOwnProperty(O("elementProperties")))return;let t=Ue(this);t.finalize(),t.l!==void 0&&(this.l=[...t.l]),this.elementProperties=new Map(t.elementProperties)}static finalize(){if(this.hasOwnProperty(O("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(O("properties"))){let e=this.properties,s=[...Te(e),...He(e)];for(let r of s)this.createProperty(r,e[r])}let t=this[Symbol.metadata];if(t!==null){let e=litPropertyMetadata.get(t);if(e!==void 0)for(let[s,r]of e)this.elementProperties.set(s,r)}this._$Eh=new Map;for(let[e,s]of this.elementProperties){let r=this._$Eu(e,s);r!==void 0&&this._$Eh.set(r,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(t){let e=[];if(Array.isArray(t)){let s=new Set(t.flat(1/0).reverse());for(let r of s)e.unshift(V(r))}else t!==void 0&&e.push(V(t));return e}static _$Eu(t,e){let s=e.attribute;return s===!1?void 0:typeof s=="string"?s:typeof t=="string"?t.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(t=>this.enableUpdating=t),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(t=>t(this))}addController(t){(this._$EO??=new Set).add(t),this.renderRoot!==void 0&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}_$E_(){let t=new Map,e=this.constructor.elementProperties;for(let s of e.keys())this.hasOwnProperty(s)&&(t.set(s,this[s]),delete this[s]);t.size>0&&(this._$Ep=t)}createRenderRoot(){let t=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return he(t,this.constructor.elementStyles),t}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(t=>t.hostConnected?.())}enableUpdating(t){}disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}attributeChangedCallback(t,e,s){this._$AK(t,s)}_$ET(t,e){let s=this.constructor.elementProperties.get(t),r=this.constructor._$Eu(t,s);if(r!==void 0&&s.reflect===!0){let o=(s.converter?.toAttribute!==void 0?s.converter:M).toAttribute(e,s.type);this._$Em=t,o==null?this.removeAttribute(r):this.setAttribute(r,o),this._$Em=null}}_$AK(t,e){let s=this.constructor,r=s._$Eh.get(t);if(r!==void 0&&this._$Em!==r){let o=s.getPropertyOptions(r),n=typeof o.converter=="function"?{fromAttribute:o.converter}:o.converter?.fromAttribute!==void 0?o.converter:M;this._$Em=r;let l=n.fromAttribute(e,o.type);this[r]=l??this._$Ej?.get(r)??l,this._$Em=null}}requestUpdate(t,e,s,r=!1,o){if(t!==void 0){let n=this.constructor;if(r===!1&&(o=this[t]),s??=n.getPropertyOptions(t),!((s.hasChanged??I)(o,e)||s.useDefault&&s.reflect&&o===this._$Ej?.get(t)&&!this.hasAttribute(n._$Eu(t,s))))return;this.C(t,e,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(t,e,{useDefault:s,reflect:r,wrapped:o},n){s&&!(this._$Ej??=new Map).has(t)&&(this._$Ej.set(t,n??e??this[t]),o!==!0||n!==void 0)||(this._$AL.has(t)||(this.hasUpdated||s||(e=void 0),this._$AL.set(t,e)),r===!0&&this._$Em!==t&&(this._$Eq??=new Set).add(t))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let t=this.scheduleUpdate();return t!=null&&await t,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[r,o]of this._$Ep)this[r]=o;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[r,o]of s){let{wrapped:n}=o,l=this[r];n!==!0||this._$AL.has(r)||l===void 0||this.C(r,void 0,o,l)}}let t=!1,e=this._$AL;try{t=this.shouldUpdate(e),t?(this.willUpdate(e),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(e)):this._$EM()}catch(s){throw t=!1,this._$EM(),s}t&&this._$AE(e)}willUpdate(t){}_$AE(t){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(t)),this.updated(t)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(t){return!0}update(t){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(t){}firstUpdated(t){}};$.elementStyles=[],$.shadowRootOptions={mode:"open"},$[O("elementProperties")]=new Map,$[O("finalized")]=new Map,Ne?.({ReactiveElement:$}),(q.reactiveElementVersions??=[]).push("2.1.2");var te=globalThis,ue=i=>i,B=te.trustedTypes,me=B?B.createPolicy("lit-html",{createHTML:i=>i}):void 0,ye="$lit$",y=`lit$${Math.random().toFixed(9).slice(2)}$`,be="?"+y,Le=`<${be}>`,A=document,H=()=>A.createComment(""),U=i=>i===null||typeof i!="object"&&typeof i!="function",se=Array.isArray,je=i=>se(i)||typeof i?.[Symbol.iterator]=="function",G=`[ 	
\f\r]`,T=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,fe=/-->/g,_e=/>/g,w=RegExp(`>|${G}(?:([^\\s"'>=/]+)(${G}*=${G}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),ge=/'/g,ve=/"/g,we=/^(?:script|style|textarea|title)$/i,re=i=>(t,...e)=>({_$litType$:i,strings:t,values:e}),d=re(1),xe=re(2),it=re(3),S=Symbol.for("lit-noChange"),c=Symbol.for("lit-nothing"),$e=new WeakMap,x=A.createTreeWalker(A,129);function Ae(i,t){if(!se(i)||!i.hasOwnProperty("raw"))throw Error("invalid template strings array");return me!==void 0?me.createHTML(t):t}var ze=(i,t)=>{let e=i.length-1,s=[],r,o=t===2?"<svg>":t===3?"<math>":"",n=T;for(let l=0;l<e;l++){let a=i[l],p,u,h=-1,m=0;for(;m<a.length&&(n.lastIndex=m,u=n.exec(a),u!==null);)m=n.lastIndex,n===T?u[1]==="!--"?n=fe:u[1]!==void 0?n=_e:u[2]!==void 0?(we.test(u[2])&&(r=RegExp("</"+u[2],"g")),n=w):u[3]!==void 0&&(n=w):n===w?u[0]===">"?(n=r??T,h=-1):u[1]===void 0?h=-2:(h=n.lastIndex-u[2].length,p=u[1],n=u[3]===void 0?w:u[3]==='"'?ve:ge):n===ve||n===ge?n=w:n===fe||n===_e?n=T:(n=w,r=void 0);let f=n===w&&i[l+1].startsWith("/>")?" ":"";o+=n===T?a+Le:h>=0?(s.push(p),a.slice(0,h)+ye+a.slice(h)+y+f):a+y+(h===-2?l:f)}return[Ae(i,o+(i[e]||"<?>")+(t===2?"</svg>":t===3?"</math>":"")),s]},D=class i{constructor({strings:t,_$litType$:e},s){let r;this.parts=[];let o=0,n=0,l=t.length-1,a=this.parts,[p,u]=ze(t,e);if(this.el=i.createElement(p,s),x.currentNode=this.el.content,e===2||e===3){let h=this.el.content.firstChild;h.replaceWith(...h.childNodes)}for(;(r=x.nextNode())!==null&&a.length<l;){if(r.nodeType===1){if(r.hasAttributes())for(let h of r.getAttributeNames())if(h.endsWith(ye)){let m=u[n++],f=r.getAttribute(h).split(y),E=/([.?@])?(.*)/.exec(m);a.push({type:1,index:o,name:E[2],strings:f,ctor:E[1]==="."?Z:E[1]==="?"?Q:E[1]==="@"?X:C}),r.removeAttribute(h)}else h.startsWith(y)&&(a.push({type:6,index:o}),r.removeAttribute(h));if(we.test(r.tagName)){let h=r.textContent.split(y),m=h.length-1;if(m>0){r.textContent=B?B.emptyScript:"";for(let f=0;f<m;f++)r.append(h[f],H()),x.nextNode(),a.push({type:2,index:++o});r.append(h[m],H())}}}else if(r.nodeType===8)if(r.data===be)a.push({type:2,index:o});else{let h=-1;for(;(h=r.data.indexOf(y,h+1))!==-1;)a.push({type:7,index:o}),h+=y.length-1}o++}}static createElement(t,e){let s=A.createElement("template");return s.innerHTML=t,s}};function k(i,t,e=i,s){if(t===S)return t;let r=s!==void 0?e._$Co?.[s]:e._$Cl,o=U(t)?void 0:t._$litDirective$;return r?.constructor!==o&&(r?._$AO?.(!1),o===void 0?r=void 0:(r=new o(i),r._$AT(i,e,s)),s!==void 0?(e._$Co??=[])[s]=r:e._$Cl=r),r!==void 0&&(t=k(i,r._$AS(i,t.values),r,s)),t}var J=class{constructor(t,e){this._$AV=[],this._$AN=void 0,this._$AD=t,this._$AM=e}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(t){let{el:{content:e},parts:s}=this._$AD,r=(t?.creationScope??A).importNode(e,!0);x.currentNode=r;let o=x.nextNode(),n=0,l=0,a=s[0];for(;a!==void 0;){if(n===a.index){let p;a.type===2?p=new N(o,o.nextSibling,this,t):a.type===1?p=new a.ctor(o,a.name,a.strings,this,t):a.type===6&&(p=new ee(o,this,t)),this._$AV.push(p),a=s[++l]}n!==a?.index&&(o=x.nextNode(),n++)}return x.currentNode=A,r}p(t){let e=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(t,s,e),e+=s.strings.length-2):s._$AI(t[e])),e++}},N=class i{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(t,e,s,r){this.type=2,this._$AH=c,this._$AN=void 0,this._$AA=t,this._$AB=e,this._$AM=s,this.options=r,this._$Cv=r?.isConnected??!0}get parentNode(){let t=this._$AA.parentNode,e=this._$AM;return e!==void 0&&t?.nodeType===11&&(t=e.parentNode),t}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(t,e=this){t=k(this,t,e),U(t)?t===c||t==null||t===""?(this._$AH!==c&&this._$AR(),this._$AH=c):t!==this._$AH&&t!==S&&this._(t):t._$litType$!==void 0?this.$(t):t.nodeType!==void 0?this.T(t):je(t)?this.k(t):this._(t)}O(t){return this._$AA.parentNode.insertBefore(t,this._$AB)}T(t){this._$AH!==t&&(this._$AR(),this._$AH=this.O(t))}_(t){this._$AH!==c&&U(this._$AH)?this._$AA.nextSibling.data=t:this.T(A.createTextNode(t)),this._$AH=t}$(t){let{values:e,_$litType$:s}=t,r=typeof s=="number"?this._$AC(t):(s.el===void 0&&(s.el=D.createElement(Ae(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===r)this._$AH.p(e);else{let o=new J(r,this),n=o.u(this.options);o.p(e),this.T(n),this._$AH=o}}_$AC(t){let e=$e.get(t.strings);return e===void 0&&$e.set(t.strings,e=new D(t)),e}k(t){se(this._$AH)||(this._$AH=[],this._$AR());let e=this._$AH,s,r=0;for(let o of t)r===e.length?e.push(s=new i(this.O(H()),this.O(H()),this,this.options)):s=e[r],s._$AI(o),r++;r<e.length&&(this._$AR(s&&s._$AB.nextSibling,r),e.length=r)}_$AR(t=this._$AA.nextSibling,e){for(this._$AP?.(!1,!0,e);t!==this._$AB;){let s=ue(t).nextSibling;ue(t).remove(),t=s}}setConnected(t){this._$AM===void 0&&(this._$Cv=t,this._$AP?.(t))}},C=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(t,e,s,r,o){this.type=1,this._$AH=c,this._$AN=void 0,this.element=t,this.name=e,this._$AM=r,this.options=o,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=c}_$AI(t,e=this,s,r){let o=this.strings,n=!1;if(o===void 0)t=k(this,t,e,0),n=!U(t)||t!==this._$AH&&t!==S,n&&(this._$AH=t);else{let l=t,a,p;for(t=o[0],a=0;a<o.length-1;a++)p=k(this,l[s+a],e,a),p===S&&(p=this._$AH[a]),n||=!U(p)||p!==this._$AH[a],p===c?t=c:t!==c&&(t+=(p??"")+o[a+1]),this._$AH[a]=p}n&&!r&&this.j(t)}j(t){t===c?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,t??"")}},Z=class extends C{constructor(){super(...arguments),this.type=3}j(t){this.element[this.name]=t===c?void 0:t}},Q=class extends C{constructor(){super(...arguments),this.type=4}j(t){this.element.toggleAttribute(this.name,!!t&&t!==c)}},X=class extends C{constructor(t,e,s,r,o){super(t,e,s,r,o),this.type=5}_$AI(t,e=this){if((t=k(this,t,e,0)??c)===S)return;let s=this._$AH,r=t===c&&s!==c||t.capture!==s.capture||t.once!==s.once||t.passive!==s.passive,o=t!==c&&(s===c||r);r&&this.element.removeEventListener(this.name,this,s),o&&this.element.addEventListener(this.name,this,t),this._$AH=t}handleEvent(t){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,t):this._$AH.handleEvent(t)}},ee=class{constructor(t,e,s){this.element=t,this.type=6,this._$AN=void 0,this._$AM=e,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(t){k(this,t)}};var qe=te.litHtmlPolyfillSupport;qe?.(D,N),(te.litHtmlVersions??=[]).push("3.3.3");var Se=(i,t,e)=>{let s=e?.renderBefore??t,r=s._$litPart$;if(r===void 0){let o=e?.renderBefore??null;s._$litPart$=r=new N(t.insertBefore(H(),o),o,void 0,e??{})}return r._$AI(i),r};var ie=globalThis,g=class extends ${constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let t=super.createRenderRoot();return this.renderOptions.renderBefore??=t.firstChild,t}update(t){let e=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(t),this._$Do=Se(e,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return S}};g._$litElement$=!0,g.finalized=!0,ie.litElementHydrateSupport?.({LitElement:g});var Ie=ie.litElementPolyfillSupport;Ie?.({LitElement:g});(ie.litElementVersions??=[]).push("4.2.2");var Be={attribute:!0,type:String,converter:M,reflect:!1,hasChanged:I},Fe=(i=Be,t,e)=>{let{kind:s,metadata:r}=e,o=globalThis.litPropertyMetadata.get(r);if(o===void 0&&globalThis.litPropertyMetadata.set(r,o=new Map),s==="setter"&&((i=Object.create(i)).wrapped=!0),o.set(e.name,i),s==="accessor"){let{name:n}=e;return{set(l){let a=t.get.call(this);t.set.call(this,l),this.requestUpdate(n,a,i,!0,l)},init(l){return l!==void 0&&this.C(n,void 0,i,l),l}}}if(s==="setter"){let{name:n}=e;return function(l){let a=this[n];t.call(this,l),this.requestUpdate(n,a,i,!0,l)}}throw Error("Unsupported decorator location: "+s)};function P(i){return(t,e)=>typeof e=="object"?Fe(i,t,e):((s,r,o)=>{let n=r.hasOwnProperty(o);return r.constructor.createProperty(o,s),n?Object.getOwnPropertyDescriptor(r,o):void 0})(i,t,e)}function b(i){return P({...i,state:!0,attribute:!1})}var Ee=K`
  :host {
    display: block;
  }
  ha-card {
    padding: 12px 12px 8px;
    box-sizing: border-box;
  }
  button.link {
    all: unset;
    cursor: pointer;
    border-radius: 4px;
  }
  button.link:focus-visible,
  button.water:focus-visible {
    outline: 2px solid var(--primary-color);
  }
  .header {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 8px;
    margin-bottom: 8px;
  }
  .title {
    font-size: var(--ha-card-header-font-size, 1.25rem);
    color: var(--ha-card-header-color, var(--primary-text-color));
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .badge {
    font-size: 0.8rem;
    padding: 2px 8px;
    border-radius: 12px;
    background: var(--secondary-background-color);
    color: var(--primary-text-color);
    white-space: nowrap;
  }
  .badge.alarm,
  .care-item.overdue .care-due {
    color: var(--error-color);
  }
  .message {
    color: var(--secondary-text-color);
    padding: 8px 0;
  }
  section {
    display: grid;
    gap: 8px;
    margin-bottom: 12px;
  }
  .racks,
  .tanks {
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 280px), 1fr));
  }
  .rack,
  .tank {
    border: 1px solid var(--divider-color);
    border-radius: var(--ha-card-border-radius, 12px);
    padding: 8px;
    min-width: 0;
  }
  .rack-head {
    display: flex;
    align-items: baseline;
    justify-content: space-between;
    flex-wrap: wrap;
    gap: 4px 8px;
    margin-bottom: 6px;
  }
  .name,
  .section-title {
    font-weight: 500;
    color: var(--primary-text-color);
  }
  .meta {
    font-size: 0.8rem;
    color: var(--secondary-text-color);
    display: inline-flex;
    align-items: center;
    gap: 4px;
  }
  .meta ha-icon {
    --mdc-icon-size: 16px;
  }
  .warn {
    color: var(--warning-color);
  }
  .shelf {
    display: flex;
    gap: 6px;
    align-items: stretch;
    border-top: 1px dashed var(--divider-color);
    padding: 6px 0;
  }
  .shelf-no {
    flex: 0 0 18px;
    font-size: 0.75rem;
    color: var(--secondary-text-color);
    text-align: center;
    padding-top: 4px;
  }
  .plants {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(132px, 1fr));
    gap: 6px;
    flex: 1;
    min-width: 0;
  }
  .plant {
    position: relative;
    background: var(--secondary-background-color);
    border-radius: 8px;
    padding: 6px 36px 6px 8px;
    min-width: 0;
    border-left: 3px solid var(--success-color, #4caf50);
  }
  .plant.attention {
    border-left-color: var(--warning-color);
  }
  .plant-name {
    display: block;
    font-size: 0.85rem;
    color: var(--primary-text-color);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .plant-meta,
  .plant-next {
    font-size: 0.75rem;
    color: var(--secondary-text-color);
    display: flex;
    flex-wrap: wrap;
    gap: 2px 6px;
  }
  .phase {
    color: var(--primary-color);
  }
  button.water {
    position: absolute;
    right: 4px;
    top: 50%;
    transform: translateY(-50%);
    width: 32px;
    height: 32px;
    border: none;
    border-radius: 50%;
    background: none;
    color: var(--primary-color);
    cursor: pointer;
    display: grid;
    place-items: center;
  }
  button.water:disabled {
    opacity: 0.4;
    cursor: default;
  }
  .measure {
    display: grid;
    grid-template-columns: 44px 1fr auto;
    grid-template-areas: "label bar value" "spark spark spark";
    align-items: center;
    gap: 2px 8px;
    margin: 4px 0;
  }
  .measure-label {
    grid-area: label;
    font-size: 0.8rem;
    color: var(--secondary-text-color);
  }
  .bar {
    grid-area: bar;
    position: relative;
    height: 8px;
    border-radius: 4px;
    background: var(--divider-color);
    overflow: hidden;
  }
  .bar.target {
    overflow: visible;
    background: linear-gradient(
      90deg,
      var(--divider-color) 0 25%,
      color-mix(in srgb, var(--success-color, #4caf50) 35%, transparent) 25% 75%,
      var(--divider-color) 75% 100%
    );
  }
  .target-mark {
    position: absolute;
    left: 50%;
    top: -3px;
    bottom: -3px;
    width: 2px;
    background: var(--primary-text-color);
  }
  .dot {
    position: absolute;
    top: 50%;
    width: 12px;
    height: 12px;
    border-radius: 50%;
    transform: translate(-50%, -50%);
    background: var(--primary-color);
    border: 2px solid var(--card-background-color, #fff);
  }
  .fill {
    height: 100%;
    background: var(--primary-color);
  }
  .dot.alarm,
  .fill.alarm {
    background: var(--error-color);
  }
  .value {
    grid-area: value;
    font-size: 0.85rem;
    color: var(--primary-text-color);
    white-space: nowrap;
    text-align: right;
  }
  .muted,
  small {
    color: var(--secondary-text-color);
  }
  .spark {
    grid-area: spark;
    width: 100%;
    height: 20px;
  }
  .spark path {
    fill: none;
    stroke: var(--primary-color);
    stroke-width: 1.5;
    vector-effect: non-scaling-stroke;
  }
  .care-item {
    display: grid;
    grid-template-columns: 24px auto 1fr auto;
    align-items: center;
    gap: 8px;
    padding: 4px 0;
    border-top: 1px solid var(--divider-color);
    font-size: 0.9rem;
    color: var(--primary-text-color);
    cursor: pointer;
  }
  .care-item input {
    width: 18px;
    height: 18px;
    accent-color: var(--primary-color);
  }
  .care-plant {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    color: var(--secondary-text-color);
  }
  .care-due {
    font-size: 0.8rem;
    color: var(--secondary-text-color);
  }
  .care-item.today .care-due {
    color: var(--warning-color);
  }
`;var We=[{name:"farm",selector:{config_entry:{integration:"vertical_farm"}}},{name:"title",selector:{text:{}}},{type:"grid",name:"",schema:[{name:"show_racks",selector:{boolean:{}}},{name:"show_tanks",selector:{boolean:{}}},{name:"show_care",selector:{boolean:{}}}]},{name:"history_hours",selector:{number:{min:1,max:168,step:1,mode:"box",unit_of_measurement:"h"}}}],Ye={farm:"Farm (empty: the only one)",title:"Title (empty: the farm's name)",show_racks:"Racks and plants",show_tanks:"Tanks",show_care:"Care list",history_hours:"Tank history"};async function Ke(){if(customElements.get("ha-form"))return;let i=window.loadCardHelpers;if(!i)return;await(await(await i()).createCardElement({type:"entities",entities:[]})).constructor.getConfigElement?.(),await customElements.whenDefined("ha-form")}var L=class extends g{setConfig(t){this._config=t}connectedCallback(){super.connectedCallback(),Ke().then(()=>this.requestUpdate())}render(){if(!this.hass||!this._config)return c;let t={show_racks:!0,show_tanks:!0,show_care:!0,history_hours:24,...this._config};return d`<ha-form
      .hass=${this.hass}
      .data=${t}
      .schema=${We}
      .computeLabel=${e=>Ye[e.name]??e.name}
      @value-changed=${this._changed}
    ></ha-form>`}_changed(t){t.stopPropagation();let e={...this._config,...t.detail.value};for(let s of["farm","title"])e[s]||delete e[s];this._config=e,this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:e},bubbles:!0,composed:!0}))}};_([P({attribute:!1})],L.prototype,"hass",2),_([b()],L.prototype,"_config",2);customElements.get("vertical-farm-card-editor")||customElements.define("vertical-farm-card-editor",L);var ke="vertical_farm",Ve=3e4,Ge=3e5,Je=24,Ze={germination:"Germination",seedling:"Seedling",vegetative:"Vegetative",flowering:"Flowering",fruiting:"Fruiting",ripening:"Ripening",harvest:"Harvest",dormancy:"Dormancy"},oe={water:"Water",fertilize:"Feed",repot:"Repot",pest_check:"Pest check"},W=(i,t)=>t===null?"\u2013":i[t]??t.replace(/_/g," "),ne=i=>{if(!i)return"\u2013";let t=new Date(i.length===10?`${i}T12:00:00`:i),e=new Date,s=Math.round((Date.UTC(t.getFullYear(),t.getMonth(),t.getDate())-Date.UTC(e.getFullYear(),e.getMonth(),e.getDate()))/864e5);return s===0?"today":s===1?"tomorrow":s===-1?"yesterday":s<0?`${-s} d ago`:s<7?`in ${s} d`:t.toLocaleDateString(void 0,{month:"short",day:"numeric"})},Qe=i=>i.rack===null?i.name:i.name.replace(` (${i.rack}, shelf ${i.shelf})`,""),ae=(i,t,e)=>{i.dispatchEvent(new CustomEvent(t,{detail:e,bubbles:!0,composed:!0}))},v=class extends g{constructor(){super(...arguments);this._history={};this._busy=new Set;this._fetchedAt=0;this._historyAt=0;this._fetching=!1;this._watched=new Map}static getConfigElement(){return document.createElement("vertical-farm-card-editor")}static getStubConfig(){return{show_racks:!0,show_tanks:!0,show_care:!0}}setConfig(e){if(!e||typeof e!="object")throw new Error("Invalid configuration");if(e.farm!==void 0&&typeof e.farm!="string")throw new Error("farm must be the farm's config entry id");if(e.history_hours!==void 0&&(typeof e.history_hours!="number"||e.history_hours<1||e.history_hours>168))throw new Error("history_hours must be a number from 1 to 168");let s=this._config?.farm!==e.farm;this._config=e,s&&(this._farm=void 0,this._fetchedAt=0,this._historyAt=0)}getCardSize(){let e=this._farm;return e?2+e.racks.length*3+e.tanks.length*2+Math.min(e.care.length,6):3}getGridOptions(){return{columns:12,min_columns:4,min_rows:3}}connectedCallback(){super.connectedCallback(),this._timer=window.setInterval(()=>{this._refresh()},Ve)}disconnectedCallback(){super.disconnectedCallback(),this._timer!==void 0&&window.clearInterval(this._timer),this._timer=void 0}willUpdate(e){if(!e.has("hass")||!this.hass)return;let s=this._fetchedAt===0;for(let[r,o]of this._watched)this.hass.states[r]?.last_updated!==o&&(s=!0);s&&this._refresh()}_watch(){let e=this.hass,s=this._farm;if(!e||!s)return;let r=Object.keys(e.states).filter(o=>o===s.care_list||s.tanks.some(n=>Object.values(n.sensors??{}).includes(o)));this._watched=new Map(r.map(o=>[o,e.states[o].last_updated]))}async _refresh(e=!1){let s=this.hass;if(!(!s||!this._config||this._fetching)&&!(!e&&Date.now()-this._fetchedAt<2e3)){this._fetching=!0;try{let o=(await s.callWS({type:"call_service",domain:ke,service:"get_overview",service_data:this._config.farm?{farm:this._config.farm}:{},return_response:!0})).response.farms;this._farm=o.find(n=>n.id===this._config?.farm)??o[0],this._error=this._farm?void 0:"No farm is set up yet."}catch(r){this._error=r.message??String(r)}finally{this._fetchedAt=Date.now(),this._fetching=!1}this._watch(),Date.now()-this._historyAt>Ge&&this._loadHistory()}}async _loadHistory(){let e=this.hass,s=this._farm;if(!e||!s||this._config?.show_tanks===!1)return;let r=s.tanks.flatMap(n=>[n.sensors?.ec,n.sensors?.ph,n.sensors?.level]).filter(n=>typeof n=="string"&&n in e.states);if(this._historyAt=Date.now(),r.length===0)return;let o=this._config?.history_hours??Je;try{this._history=await e.callWS({type:"history/history_during_period",start_time:new Date(Date.now()-o*36e5).toISOString(),entity_ids:r,minimal_response:!0,no_attributes:!0,significant_changes_only:!1})}catch{this._history={}}}async _act(e,s,r){this._busy=new Set([...this._busy,e]);try{await s(),ae(this,"hass-notification",{message:r})}catch(o){ae(this,"hass-notification",{message:o.message??String(o)})}finally{let o=new Set(this._busy);o.delete(e),this._busy=o,await this._refresh(!0)}}_water(e){if(!this.hass||!e.device_id)return;let s=this.hass;this._act(`water-${e.device_id}`,()=>s.callService(ke,"log_watering",{plants:[e.device_id]}),`Watered ${e.name}`)}_tick(e){let s=this.hass,r=this._farm?.care_list;!s||!r||this._act(`care-${e.task_id}`,()=>s.callService("todo","update_item",{entity_id:r,item:e.task_id,status:"completed"}),`${W(oe,e.kind)}: ${e.plant_name} done`)}_openDevice(e){e&&(history.pushState(null,"",`/config/devices/device/${e}`),window.dispatchEvent(new CustomEvent("location-changed",{detail:{replace:!1}})))}_moreInfo(e){e&&ae(this,"hass-more-info",{entityId:e})}render(){if(!this._config)return c;let e=this._farm,s=this._config.title??e?.name??"Vertical Farm";return d`
      <ha-card>
        <div class="header">
          <div class="title">${s}</div>
          ${e?d`<div class="badges">
                <span class="badge ${e.tasks_overdue?"alarm":""}"
                  >${e.tasks_due} due${e.tasks_overdue?d` · ${e.tasks_overdue} overdue`:c}</span
                >
              </div>`:c}
        </div>
        ${this._error?d`<div class="message">${this._error}</div>`:c}
        ${!e&&!this._error?d`<div class="message">Loading…</div>`:c}
        ${e?this._renderFarm(e):c}
      </ha-card>
    `}_renderFarm(e){let s=this._config??{type:""},r=e.plants.filter(o=>o.rack===null||!e.racks.some(n=>n.name===o.rack));return d`
      ${s.show_racks!==!1?d`<section class="racks">
            ${e.racks.map(o=>this._renderRack(o,e))}
            ${r.length?d`<div class="rack">
                  <div class="rack-head"><span class="name">Pots</span></div>
                  <div class="plants">${r.map(o=>this._renderPlant(o,e))}</div>
                </div>`:c}
          </section>`:c}
      ${s.show_tanks!==!1&&e.tanks.length?d`<section class="tanks">${e.tanks.map(o=>this._renderTank(o))}</section>`:c}
      ${s.show_care!==!1?this._renderCare(e):c}
    `}_renderRack(e,s){let r=Array.from({length:e.shelves},(l,a)=>e.shelves-a),o=s.plants.filter(l=>l.rack===e.name),n=e.conflict||e.climate_problems.length>0;return d`
      <div class="rack" data-rack=${e.name}>
        <div class="rack-head">
          <button class="name link" @click=${()=>this._openDevice(e.device_id)}>
            ${e.name}
          </button>
          <span class="meta">
            <ha-icon icon=${e.light_schedule?"mdi:lightbulb-on-outline":"mdi:lightbulb-off-outline"}></ha-icon>
            ${e.lights_on.slice(0,5)}–${e.lights_off.slice(0,5)}
            ${e.dli!==null?d`· DLI ${e.dli}`:c}
            ${n?d`<span class="warn">· check</span>`:c}
          </span>
        </div>
        ${r.map(l=>d`
            <div class="shelf">
              <span class="shelf-no">${l}</span>
              <div class="plants">
                ${o.filter(a=>a.shelf===l).map(a=>this._renderPlant(a,s))}
              </div>
            </div>
          `)}
      </div>
    `}_renderPlant(e,s){let r=s.care.filter(l=>l.plant===e.device_id).sort((l,a)=>l.due.localeCompare(a.due))[0],o=this._busy.has(`water-${e.device_id}`),n=e.needs_attention.length>0||e.harvest_blocked;return d`
      <div class="plant ${n?"attention":""}" data-plant=${e.name}>
        <button class="plant-name link" @click=${()=>this._openDevice(e.device_id)}>
          ${Qe(e)}
        </button>
        <div class="plant-meta">
          <span class="phase phase-${e.phase??"none"}">${W(Ze,e.phase)}</span>
          <span>${e.days_in_phase??0} d</span>
          ${e.quantity>1?d`<span>× ${e.quantity}</span>`:c}
        </div>
        <div class="plant-next">
          ${r?d`${W(oe,r.kind)} ${ne(r.due)}`:e.next_watering?d`Water ${ne(e.next_watering)}`:d`Nothing due`}
        </div>
        <button
          class="water"
          title="Mark ${e.name} watered"
          aria-label="Mark ${e.name} watered"
          ?disabled=${o||!e.device_id}
          @click=${()=>this._water(e)}
        >
          <ha-icon icon="mdi:watering-can-outline"></ha-icon>
        </button>
      </div>
    `}_renderTank(e){let s=e.sensors??{},r=e.level_percent??null;return d`
      <div class="tank" data-tank=${e.name}>
        <div class="rack-head">
          <button class="name link" @click=${()=>this._openDevice(e.device_id)}>
            ${e.name}
          </button>
          <span class="meta">
            ${e.volume_l} L${e.days_until_empty!==null?d` · empty in ${e.days_until_empty} d`:c}
          </span>
        </div>
        ${this._renderMeasure("EC",e.ec,e.target_ec,"mS/cm",.2,s.ec,e.problems.includes("ec_problem"))}
        ${this._renderMeasure("pH",e.ph,e.target_ph,"",.5,s.ph,e.problems.includes("ph_problem"))}
        <div class="measure">
          <button class="measure-label link" @click=${()=>this._moreInfo(s.level)}>Level</button>
          <div class="bar">
            <div
              class="fill ${e.problems.includes("level_low")?"alarm":""}"
              style="width: ${Math.max(0,Math.min(100,r??0))}%"
            ></div>
          </div>
          <span class="value">${r===null?"\u2013":`${r} %`}</span>
          ${this._renderSpark(s.level)}
        </div>
      </div>
    `}_renderMeasure(e,s,r,o,n,l,a){let p=50;return s!==null&&r!==null&&(p=50+(s-r)/(n*2)*50),d`
      <div class="measure">
        <button class="measure-label link" @click=${()=>this._moreInfo(l)}>${e}</button>
        <div class="bar target">
          <div class="target-mark"></div>
          ${s!==null?d`<div
                class="dot ${a?"alarm":""}"
                style="left: ${Math.max(0,Math.min(100,p))}%"
              ></div>`:c}
        </div>
        <span class="value">
          ${s===null?"\u2013":s}${o?d` <small>${o}</small>`:c}
          ${r!==null?d`<small class="muted">/ ${r}</small>`:c}
        </span>
        ${this._renderSpark(l)}
      </div>
    `}_renderSpark(e){let r=((e?this._history[e]:void 0)??[]).map(h=>({t:h.lu,v:Number.parseFloat(h.s)})).filter(h=>Number.isFinite(h.v));if(r.length<2)return d`<span class="spark"></span>`;let o=r[0].t,n=Math.max(1,r[r.length-1].t-o),l=Math.min(...r.map(h=>h.v)),p=Math.max(...r.map(h=>h.v))-l||1,u=r.map((h,m)=>{let f=(h.t-o)/n*100,E=18-(h.v-l)/p*16;return`${m===0?"M":"L"}${f.toFixed(1)},${E.toFixed(1)}`}).join(" ");return d`<svg class="spark" viewBox="0 0 100 20" preserveAspectRatio="none" aria-hidden="true">
      ${xe`<path d=${u}></path>`}
    </svg>`}_renderCare(e){return d`
      <section class="care">
        <div class="section-title">Care</div>
        ${e.care.length===0?d`<div class="message">Nothing due. Enjoy the green.</div>`:e.care.map(s=>d`
                <label class="care-item ${s.urgency}" data-task=${s.task_id}>
                  <input
                    type="checkbox"
                    .checked=${!1}
                    ?disabled=${this._busy.has(`care-${s.task_id}`)||!e.care_list}
                    @change=${()=>this._tick(s)}
                  />
                  <span class="care-kind">${W(oe,s.kind)}</span>
                  <span class="care-plant">${s.plant_name}</span>
                  <span class="care-due">${ne(s.due)}</span>
                </label>
              `)}
      </section>
    `}};v.styles=Ee,_([P({attribute:!1})],v.prototype,"hass",2),_([b()],v.prototype,"_config",2),_([b()],v.prototype,"_farm",2),_([b()],v.prototype,"_error",2),_([b()],v.prototype,"_history",2),_([b()],v.prototype,"_busy",2);customElements.get("vertical-farm-card")||customElements.define("vertical-farm-card",v);window.customCards=window.customCards??[];window.customCards.some(i=>i.type==="vertical-farm-card")||window.customCards.push({type:"vertical-farm-card",name:"Vertical Farm",description:"Racks, shelves and plants, tanks against their targets, and the care list.",preview:!1,documentationURL:"https://github.com/vertical-farm/vertical-farm#the-dashboard-card"});export{v as VerticalFarmCard};
